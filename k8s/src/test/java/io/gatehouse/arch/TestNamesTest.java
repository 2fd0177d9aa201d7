package io.gatehouse.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.TestNames;

/** Every test method of this module is named as docs/testing.md says (the rule is shared). */
@AnalyzeClasses(packages = "io.gatehouse", importOptions = ImportOption.OnlyIncludeTests.class)
class TestNamesTest {
  @ArchTest
  static final ArchRule test_methods_are_snake_case_sentences =
      TestNames.TEST_METHODS_ARE_SNAKE_CASE_SENTENCES;
}
