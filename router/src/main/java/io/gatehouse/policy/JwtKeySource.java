package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/**
 * The JWK Set of one URL as the node holds it ({@link PolicyServices#jwtKeys}): fetched, cached,
 * refreshed and shared by every route and snapshot that names the same URL and timings, so a
 * recompiled route keeps its keys. Thread-safe.
 */
public interface JwtKeySource {
  /**
   * The keys to verify with now, without waiting: {@link JwtKeySet#EMPTY} when none are usable
   * (never fetched, or too stale to trust). Past its cache duration the set is refreshed in the
   * background while it is still used.
   */
  JwtKeySet current();

  /**
   * The keys after a fetch: joins the one in flight, or starts one unless the fetch-rate bound
   * forbids it (then completes at once with {@link #current}). Never fails: a failed fetch yields
   * the keys still usable. Called from an event loop, it completes on that loop, so the caller may
   * go on with the request there.
   *
   * @param unknownKid true when a token names a key the set lacks (a rotation): at most one such
   *     fetch per minimum refetch interval; false when there is no usable set
   */
  CompletionStage<JwtKeySet> refresh(boolean unknownKid);
}
