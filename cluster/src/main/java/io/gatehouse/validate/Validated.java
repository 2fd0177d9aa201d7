package io.gatehouse.validate;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Either a normalised value or the violations that stopped it; never both. */
public record Validated<T>(@Nullable T value, List<Violation> violations) {
  public Validated {
    violations = List.copyOf(violations);
    if ((value == null) == violations.isEmpty()) {
      throw new IllegalArgumentException("exactly one of value and violations");
    }
  }

  public static <T> Validated<T> ok(T value) {
    return new Validated<>(Objects.requireNonNull(value), List.of());
  }

  public static <T> Validated<T> failed(List<Violation> violations) {
    return new Validated<>(null, violations);
  }

  public boolean isValid() {
    return value != null;
  }
}
