package io.gatehouse.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The problems this dashboard has seen, each with when it appeared and when it went away: the last
 * {@link #CAPACITY}, so one that came and went in the last hour is still shown as resolved. Fed by
 * each look at the node's status (a poll, or the dashboard's own timer); a problem that came and
 * went between two looks is not seen.
 */
final class ProblemHistory {
  /** Problem events kept; the oldest leaves first. */
  static final int CAPACITY = 200;

  /**
   * A current problem as one look finds it.
   *
   * @param appeared when the node says it began (a refused reload's time), or null: at this look
   */
  record Seen(String kind, String subject, String message, @Nullable Instant appeared) {
    String key() {
      return kind + "\n" + subject + "\n" + message;
    }
  }

  private static final class Entry {
    final Seen seen;
    final Instant appeared;
    @Nullable Instant resolved;

    Entry(Seen seen, Instant appeared) {
      this.seen = seen;
      this.appeared = appeared;
    }
  }

  private final ArrayDeque<Entry> ring = new ArrayDeque<>();

  /**
   * The current problems by key. An entry pushed out of the ring stays here until it resolves, so a
   * long-lived problem is not recorded again at every look.
   */
  private final Map<String, Entry> open = new HashMap<>();

  /** Records one look: new problems appear, ones no longer there are resolved {@code now}. */
  synchronized void observe(Instant now, Collection<Seen> current) {
    Set<String> keys = new HashSet<>();
    for (Seen s : current) {
      String key = s.key();
      keys.add(key);
      if (!open.containsKey(key)) {
        Instant at = s.appeared() != null && s.appeared().isBefore(now) ? s.appeared() : now;
        Entry e = new Entry(s, at);
        if (ring.size() == CAPACITY) {
          ring.removeFirst();
        }
        ring.addLast(e);
        open.put(key, e);
      }
    }
    for (Iterator<Map.Entry<String, Entry>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> e = it.next();
      if (!keys.contains(e.getKey())) {
        e.getValue().resolved = now; // a problem that comes back later is a new entry
        it.remove();
      }
    }
  }

  /** When the current problem {@code s} appeared, or null when it is not current. */
  synchronized @Nullable Instant since(Seen s) {
    Entry e = open.get(s.key());
    return e == null ? null : e.appeared;
  }

  /** The entries, newest first; {@code resolved} is null while the problem lasts. */
  synchronized JsonArray recent() {
    JsonArray out = new JsonArray();
    for (Iterator<Entry> it = ring.descendingIterator(); it.hasNext(); ) {
      Entry e = it.next();
      out.add(
          new JsonObject()
              .put("kind", e.seen.kind())
              .put("subject", e.seen.subject())
              .put("message", e.seen.message())
              .put("appeared", e.appeared.toString())
              .put("resolved", e.resolved == null ? null : e.resolved.toString()));
    }
    return out;
  }
}
