package io.gatehouse.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.NullMarked;

/**
 * Every main package is {@code @NullMarked}, so NullAway checks it (docs/testing.md,
 * "Null-marking"): a package without it would be skipped silently, since the build runs NullAway
 * with {@code OnlyNullMarked}. Shared through cluster's test-jar like {@link TestNames}.
 */
public final class NullMarking {
  private NullMarking() {}

  public static final ArchRule EVERY_PACKAGE_IS_NULL_MARKED =
      classes()
          .should(
              new ArchCondition<JavaClass>("reside in a @NullMarked package") {
                // One violation per package, not per class: the fix is one package-info.java.
                private final Map<String, String> unmarked = new TreeMap<>();

                @Override
                public void init(Collection<JavaClass> all) {
                  unmarked.clear();
                }

                @Override
                public void check(JavaClass type, ConditionEvents events) {
                  if (!type.getPackage().isAnnotatedWith(NullMarked.class)) {
                    unmarked.putIfAbsent(type.getPackageName(), type.getName());
                  }
                }

                @Override
                public void finish(ConditionEvents events) {
                  unmarked.forEach(
                      (pkg, example) ->
                          events.add(
                              SimpleConditionEvent.violated(
                                  pkg,
                                  pkg
                                      + " has no @NullMarked package-info.java (e.g. "
                                      + example
                                      + ")")));
                }
              })
          .because("NullAway checks only @NullMarked packages (docs/testing.md)");
}
