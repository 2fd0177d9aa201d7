package io.gatehouse.testing;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * The boundaries tests' import: main classes only. ArchUnit's {@code DoNotIncludeTests} knows test
 * class directories but not test-jars, and once the reactor has packaged cluster (or k8s), a module
 * that depends on its test-jar sees those fixtures as a jar ({@code *-tests.jar}).
 */
public final class MainClassesOnly implements ImportOption {
  private static final ImportOption NOT_TEST_DIRECTORIES = new DoNotIncludeTests();

  @Override
  public boolean includes(Location location) {
    return NOT_TEST_DIRECTORIES.includes(location) && !location.contains("-tests.jar");
  }
}
