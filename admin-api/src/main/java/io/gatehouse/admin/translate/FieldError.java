package io.gatehouse.admin.translate;

import io.gatehouse.validate.Violation;

/**
 * One bad field of a request: a JSON pointer into the body (or a parameter's name), the value and
 * the rule it broke.
 */
public record FieldError(String pointer, String value, String rule) {

  public String message() {
    return value == null ? pointer + ": " + rule : new Violation(pointer, value, rule).message();
  }

  public FieldError under(String prefix) {
    return new FieldError(prefix + pointer, value, rule);
  }

  /** A validator's violation, its model field name turned into the REST body's pointer. */
  public static FieldError of(Violation v) {
    return new FieldError(Pointers.fromField(v.field()), v.value(), v.rule());
  }
}
