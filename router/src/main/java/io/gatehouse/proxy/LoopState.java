package io.gatehouse.proxy;

import io.gatehouse.model.UpstreamTls;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.SplitPicker;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What one event loop serves: the snapshot it adopted, with the loop's state that outlives
 * snapshots. A router adopts each published snapshot on its own event loop ({@code state =
 * state.adopt(s)}), so an exchange reads one field and never the node's holder, and the work a new
 * snapshot causes on a loop (retiring upstream TLS clients no route uses any more) happens at
 * adoption, not on the next request.
 *
 * <p>Kept across snapshots: the split rotations ({@link SplitPicker}, by the compiler's {@code
 * Split}, which it keeps while a route's weights are equal) and the endpoint balancers ({@link
 * Balancers}, by endpoint-index slot, still rebuilt lazily when a slot's set changes, since
 * endpoints change without a snapshot). In package {@code proxy}, not {@code upstream}: it ties the
 * snapshot to the loop's upstream state and only the router reads it.
 *
 * <p>Event-loop confined; immutable apart from the shared picker and balancers.
 */
final class LoopState {
  private final @Nullable RouteSnapshot snapshot;
  private final SplitPicker splits;
  private final Balancers balancers;
  private final Consumer<Set<UpstreamTls>> retainTls;

  /**
   * A loop that serves nothing yet; {@code retainTls} gets the upstream TLS settings of each
   * adopted snapshot whose set differs (by identity) from the previous one.
   */
  LoopState(SplitPicker splits, Balancers balancers, Consumer<Set<UpstreamTls>> retainTls) {
    this(null, splits, balancers, retainTls);
  }

  private LoopState(
      @Nullable RouteSnapshot snapshot,
      SplitPicker splits,
      Balancers balancers,
      Consumer<Set<UpstreamTls>> retainTls) {
    this.snapshot = snapshot;
    this.splits = splits;
    this.balancers = balancers;
    this.retainTls = retainTls;
  }

  /**
   * The state serving {@code next}; this one when {@code next} is null, already served, or older
   * than the one served (a delivery that crossed the loop's own start).
   */
  LoopState adopt(@Nullable RouteSnapshot next) {
    if (next == null || next == snapshot) {
      return this;
    }
    if (snapshot != null && next.generation() < snapshot.generation()) {
      return this;
    }
    Set<UpstreamTls> tls = next.upstreamTlsSettings();
    if (snapshot == null || tls != snapshot.upstreamTlsSettings()) {
      // The set keeps its identity while unchanged: clients of a setting no route uses any more go.
      retainTls.accept(tls);
    }
    return new LoopState(next, splits, balancers, retainTls);
  }

  /** The snapshot this loop serves; null before the first. */
  @Nullable RouteSnapshot snapshot() {
    return snapshot;
  }

  SplitPicker splits() {
    return splits;
  }

  Balancers balancers() {
    return balancers;
  }
}
