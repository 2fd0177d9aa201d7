package io.gatehouse.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The project's one test-name style as an ArchUnit rule, shared through cluster's test-jar so every
 * module's {@code TestNamesTest} checks the same thing. Annotations are named by type name so the
 * rule needs neither jqwik nor Jazzer on the classpath.
 */
public final class TestNames {
  private TestNames() {}

  /** Lower snake_case with at least one underscore: a sentence, not a word or camelCase. */
  public static final String SENTENCE = "[a-z][a-z0-9]*(_[a-z0-9]+)+";

  public static final ArchRule TEST_METHODS_ARE_SNAKE_CASE_SENTENCES =
      methods()
          .that()
          .areAnnotatedWith("org.junit.jupiter.api.Test")
          .or()
          .areAnnotatedWith("org.junit.jupiter.params.ParameterizedTest")
          .or()
          .areAnnotatedWith("org.junit.jupiter.api.RepeatedTest")
          .or()
          .areAnnotatedWith("org.junit.jupiter.api.TestFactory")
          .or()
          .areAnnotatedWith("org.junit.jupiter.api.TestTemplate")
          .or()
          .areAnnotatedWith("net.jqwik.api.Property")
          .or()
          .areAnnotatedWith("com.code_intelligence.jazzer.junit.FuzzTest")
          .should()
          .haveNameMatching(SENTENCE)
          .because(
              "test names are snake_case sentences that state the behaviour (docs/testing.md)");
}
