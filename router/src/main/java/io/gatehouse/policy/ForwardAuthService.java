package io.gatehouse.policy;

import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The node's forward-auth client, lent to {@link ForwardAuthFilter}: sends one subrequest without a
 * body and tells what came back, never its body. The node's implementation ({@code
 * io.gatehouse.access.ForwardAuthClient}) owns the connection pool and the {@link #cache()}, so
 * both outlive any one snapshot.
 */
public interface ForwardAuthService {
  /**
   * Sends {@code method} to {@code target} with {@code headers} (name, value pairs, lower-case
   * names) and calls {@code done} exactly once, on the calling event loop (possibly within this
   * call: the filter copes with both), with the status and the values of the {@code keep} headers,
   * or {@link ForwardAuthAnswer#UNREACHABLE} (no connection, a pool whose queue is full, a reset
   * before the head) or {@link ForwardAuthAnswer#TIMED_OUT} (no head within {@code timeoutMillis},
   * connect included). Checks with the same non-null {@code shared} key that overlap share one
   * subrequest and its answer (a burst of one user's requests when its cached answer expires asks
   * the service once).
   */
  void check(
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep,
      ForwardAuthCache.@Nullable Key shared,
      Consumer<ForwardAuthAnswer> done);

  /** The node's cache of answers, shared by every route (keys name the route and the policy). */
  ForwardAuthCache cache();
}
