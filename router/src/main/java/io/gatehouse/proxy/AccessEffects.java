package io.gatehouse.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the access filters of one request left for later stages: headers every upstream attempt sets
 * or drops (a verified identity, a credential kept from the upstream), the verified claims, and
 * what runs when the request ends (a concurrency limit's release). Made on the first such call, so
 * a request on a route without access filters allocates nothing. Event loop only.
 */
final class AccessEffects {
  private static final Logger LOG = LoggerFactory.getLogger(AccessEffects.class);

  /** Name, value (null: drop) pairs, in call order; a later call for a name wins. */
  private final List<@Nullable String> edits = new ArrayList<>(4);

  private @Nullable List<Runnable> atEnd;

  @Nullable Map<String, Object> claims;

  void upstreamHeader(String lowerCaseName, String value) {
    edits.add(lowerCaseName);
    edits.add(value);
  }

  void dropUpstreamHeader(String lowerCaseName) {
    edits.add(lowerCaseName);
    edits.add(null);
  }

  /** Applies the edits to an upstream request's headers, already copied from the client's. */
  void applyUpstream(MultiMap headers) {
    for (int i = 0; i < edits.size(); i += 2) {
      String name = edits.get(i);
      String value = edits.get(i + 1);
      if (value == null) {
        headers.remove(name);
      } else {
        headers.set(name, value);
      }
    }
  }

  void onEnd(Runnable release) {
    if (atEnd == null) {
      atEnd = new ArrayList<>(2);
    }
    atEnd.add(release);
  }

  /**
   * Runs the end hooks once. A hook that throws is logged and does not stop the others: the
   * exchange is finishing and must release everything else whatever a hook does.
   */
  void ended() {
    List<Runnable> hooks = atEnd;
    atEnd = null;
    if (hooks == null) {
      return;
    }
    for (Runnable r : hooks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.atError().setMessage("an access filter's end hook failed").setCause(e).log();
      }
    }
  }
}
