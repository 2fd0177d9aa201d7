package io.gatehouse.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.DoNotIncludeTestJars;
import io.gatehouse.testing.NullMarking;

/** Every main package on this module's classpath is null-marked (the rule is shared). */
@AnalyzeClasses(
    packages = "io.gatehouse",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class NullMarkingTest {
  @ArchTest
  static final ArchRule every_package_is_null_marked = NullMarking.EVERY_PACKAGE_IS_NULL_MARKED;
}
