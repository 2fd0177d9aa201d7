package io.gatehouse.admin.translate;

import io.gatehouse.document.DocProblem;
import io.gatehouse.validate.Violation;
import org.jspecify.annotations.Nullable;

/**
 * One bad field of a request: a JSON pointer into the body (or a parameter's name), the value and
 * the rule it broke. A route document's problems keep their kind, so that REST words them as the
 * routes file does, with the pointer where the file names a path and line.
 */
public record FieldError(
    String pointer, @Nullable String value, String rule, DocProblem.Kind kind) {

  public FieldError(String pointer, @Nullable String value, String rule) {
    this(pointer, value, rule, DocProblem.Kind.VALUE);
  }

  public String message() {
    return switch (kind) {
      case VALUE ->
          value == null ? pointer + ": " + rule : new Violation(pointer, value, rule).message();
      case MISSING -> pointer + ": missing (expected: " + rule + ")";
      case UNKNOWN_KEY -> "unknown key \"" + pointer + "\" (expected one of: " + rule + ")";
    };
  }

  public FieldError under(String prefix) {
    return new FieldError(prefix + pointer, value, rule, kind);
  }

  /** A route document's problem, at its JSON pointer. */
  public static FieldError of(DocProblem p) {
    return new FieldError(p.at().pointer(), p.value(), p.rule(), p.kind());
  }
}
