package io.gatehouse.admin.auth;

import io.gatehouse.model.TokenSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.Write;
import java.util.Optional;

/**
 * No default credential: when the table holds no admin token, one is created (or the operator's
 * given one is stored) under a fixed id with {@link Write#ABSENT}, so that nodes starting together
 * create exactly one.
 */
public final class AdminBootstrap {
  private AdminBootstrap() {}

  /** What happened: the bearer to print once, if this node created one. */
  public sealed interface Result {
    record Existing() implements Result {}

    record Stored(String id) implements Result {}

    record Created(String bearer, String id) implements Result {
      @Override
      public String toString() {
        return "Created[id=" + id + "]";
      }
    }
  }

  /**
   * Blocks (table write).
   *
   * @param given the operator's admin token ({@code <id>.<secret>}), or empty to generate one
   */
  public static Result ensure(RouteTable table, Optional<String> given, long nowMillis) {
    if (table.view().tokens().values().stream().anyMatch(TokenSpec::admin)) {
      return new Result.Existing();
    }
    TokenSpec spec;
    String bearer = null;
    if (given.isPresent()) {
      spec =
          Tokens.given(given.get(), nowMillis, "given at start")
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the admin token given at start is not <id>.<secret> (id: a DNS label;"
                              + " secret: 32-256 of A-Z a-z 0-9 _ -)"));
    } else {
      Tokens.Issued issued = Tokens.issue(Tokens.BOOTSTRAP_ID, null, "bootstrap", nowMillis);
      spec = issued.spec();
      bearer = issued.bearer();
    }
    Outcome outcome = table.apply(Batch.of(Write.put(spec, Write.ABSENT)));
    if (outcome instanceof Outcome.Conflict) {
      return new Result.Existing();
    }
    return bearer == null ? new Result.Stored(spec.id()) : new Result.Created(bearer, spec.id());
  }
}
