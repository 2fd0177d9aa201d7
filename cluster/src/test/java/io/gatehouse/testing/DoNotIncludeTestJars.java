package io.gatehouse.testing;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * Leaves out classes read from a module's test-jar ({@code *-tests.jar}). ArchUnit's {@code
 * DoNotIncludeTests} knows {@code target/test-classes} but not the jar a later module reads the
 * same classes from once {@code verify} has packaged them, so a boundaries test saw cluster's test
 * fixtures as production code (a package cycle through {@code testing}) only in a full build.
 */
public final class DoNotIncludeTestJars implements ImportOption {
  @Override
  public boolean includes(Location location) {
    return !location.contains("-tests.jar");
  }
}
