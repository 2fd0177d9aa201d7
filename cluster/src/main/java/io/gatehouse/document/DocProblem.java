package io.gatehouse.document;

import io.gatehouse.validate.Violation;
import org.jspecify.annotations.Nullable;

/**
 * One reason a route document was refused: where, the value found there (null when absent or not
 * shown) and the rule it broke. {@link #message()} renders the routes file's texts, e.g. {@code
 * routes[0].paths[0].value: "x" (expected: starts with '/')}.
 */
public record DocProblem(DocPath at, @Nullable String value, String rule, Kind kind) {
  /** What went wrong; each kind has its own wording. */
  public enum Kind {
    /** A value broke {@code rule}. */
    VALUE,
    /** A required key is absent; {@code rule} says what was expected there. */
    MISSING,
    /** A key the document does not know; {@code rule} lists the known keys. */
    UNKNOWN_KEY
  }

  public static DocProblem value(DocPath at, @Nullable String value, String rule) {
    return new DocProblem(at, value, rule, Kind.VALUE);
  }

  public static DocProblem missing(DocPath at, String rule) {
    return new DocProblem(at, null, rule, Kind.MISSING);
  }

  public static DocProblem unknownKey(DocPath at, Iterable<String> known) {
    return new DocProblem(at, null, String.join(", ", known), Kind.UNKNOWN_KEY);
  }

  public String message() {
    return switch (kind) {
      case VALUE ->
          new Violation(at.isRoot() ? "(document)" : at.toString(), value, rule).message();
      case MISSING -> at + ": missing (expected: " + rule + ")";
      case UNKNOWN_KEY -> "unknown key \"" + at + "\" (expected one of: " + rule + ")";
    };
  }

  @Override
  public String toString() {
    return message();
  }
}
