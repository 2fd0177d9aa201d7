package io.gatehouse.admin.translate;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** A translated value, or the fields that stopped it (then no value). */
public record Translated<T>(@Nullable T value, List<FieldError> errors) {
  public Translated {
    errors = List.copyOf(errors);
  }

  public static <T> Translated<T> ok(T value) {
    return new Translated<>(value, List.of());
  }

  public static <T> Translated<T> failed(List<FieldError> errors) {
    return new Translated<>(null, errors);
  }

  public boolean isValid() {
    return errors.isEmpty();
  }
}
