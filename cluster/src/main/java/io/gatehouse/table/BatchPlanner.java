package io.gatehouse.table;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides what a batch writes, given the entries it touches as they stand: pure, shared by every
 * table implementation, which supply the current entries and the next revision under their own
 * write lock.
 */
public final class BatchPlanner {
  private BatchPlanner() {}

  /**
   * What to write: {@code changed} is empty when the batch changes nothing.
   *
   * @param revisions the revision every key of the batch has after it
   */
  public record Plan(List<Versioned> changed, Map<EntryKey, Long> revisions) {}

  /** The plan, or the failed conditions when any expected revision does not hold. */
  public static Object plan(
      Batch batch, Function<EntryKey, Versioned> current, long revision, long sequence) {
    List<Outcome.Mismatch> mismatches = new ArrayList<>();
    List<Write> changing = new ArrayList<>();
    Map<EntryKey, Long> revisions = new HashMap<>();
    for (Write w : batch.writes()) {
      Versioned cur = current.apply(w.key());
      long actual = cur == null || cur.deleted() ? 0 : cur.revision();
      if (w.expectedRevision() != Write.ANY && w.expectedRevision() != actual) {
        mismatches.add(new Outcome.Mismatch(w.key(), w.expectedRevision(), actual));
        continue;
      }
      boolean unchanged =
          w instanceof Write.Put p ? actual != 0 && p.value().equals(cur.value()) : actual == 0;
      if (unchanged) {
        revisions.put(w.key(), actual);
      } else {
        changing.add(w);
      }
    }
    if (!mismatches.isEmpty()) {
      return new Outcome.Conflict(mismatches);
    }
    List<Versioned> changed = new ArrayList<>(changing.size());
    for (Write w : changing) {
      Object value = w instanceof Write.Put p ? p.value() : null;
      changed.add(
          new Versioned(w.key(), revision, sequence, changing.size(), value, batch.durable()));
      revisions.put(w.key(), w instanceof Write.Put ? revision : 0L);
    }
    return new Plan(changed, revisions);
  }

  /**
   * The batch that makes {@code routes} the whole of {@code source}: a put for each route and a
   * delete for each live route of that source not among them.
   */
  public static Batch replaceSource(
      String source, Collection<RouteSpec> routes, Collection<EntryKey> liveKeysOfSource) {
    List<Write> writes = new ArrayList<>(routes.size());
    Set<EntryKey> kept = new HashSet<>();
    for (RouteSpec r : routes) {
      if (!r.key().source().equals(source)) {
        throw new IllegalArgumentException("route " + r.key() + " is not from source " + source);
      }
      writes.add(Write.put(r));
      kept.add(EntryKey.route(r.key()));
    }
    for (EntryKey k : liveKeysOfSource) {
      if (!kept.contains(k)) {
        writes.add(Write.delete(k));
      }
    }
    return new Batch(writes, false);
  }

  /**
   * What {@link #diffSource} found: the writes, and the view's copy of every key they touch.
   *
   * @param current the view's entry under each written key (absent when the view has none), for
   *     {@link #plan}: a table whose view is exact need not read those entries again
   */
  public record SourceDiff(Batch batch, Map<EntryKey, Versioned> current) {}

  /**
   * The smallest batch that makes {@code routes} the whole of {@code source}, diffed against {@code
   * view}: a put for each route that differs from the view's, a delete for each route of that
   * source the view holds and {@code routes} lacks; nothing for an equal route. Applied to a table
   * in the state of {@code view}, it has the effect of {@link #replaceSource}.
   */
  public static SourceDiff diffSource(String source, Collection<RouteSpec> routes, TableView view) {
    List<Write> writes = new ArrayList<>();
    Map<EntryKey, Versioned> current = new HashMap<>();
    Set<RouteKey> kept = new HashSet<>();
    Map<RouteKey, RouteSpec> live = view.routes();
    for (RouteSpec r : routes) {
      if (!r.key().source().equals(source)) {
        throw new IllegalArgumentException("route " + r.key() + " is not from source " + source);
      }
      if (!kept.add(r.key())) {
        throw new IllegalArgumentException("route " + r.key() + " given twice");
      }
      RouteSpec there = live.get(r.key());
      if (r.equals(there)) {
        continue;
      }
      EntryKey key = EntryKey.route(r.key());
      writes.add(Write.put(r));
      if (there != null) {
        current.put(key, versioned(key, there, view));
      }
    }
    for (RouteSpec there : live.values()) {
      if (there.key().source().equals(source) && !kept.contains(there.key())) {
        EntryKey key = EntryKey.route(there.key());
        writes.add(Write.delete(key));
        current.put(key, versioned(key, there, view));
      }
    }
    return new SourceDiff(new Batch(writes, false), current);
  }

  private static Versioned versioned(EntryKey key, RouteSpec value, TableView view) {
    return new Versioned(key, view.revision(key), view.generation(), 1, value, false);
  }

  /** The key prefix of every route from {@code source} (the id is {@code tenant/source/name}). */
  public static boolean isRouteOfSource(EntryKey key, String source) {
    if (key.kind() != EntryKind.ROUTE) {
      return false;
    }
    int slash = key.id().indexOf('/');
    return slash >= 0 && key.id().startsWith(source + "/", slash + 1);
  }
}
