package io.gatehouse.table;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The keys each view of one {@link TableState} changed, for {@link TableView#changesSince}: the
 * last {@link #MAX_BATCHES} views' batches, at most {@link #MAX_KEYS} keys in all. A batch too
 * large to keep, or one that has left the log, makes the answer "unknown" and the consumer diffs
 * the views in full, as before. A reload starts a new log, so views from before it are never
 * compared by key.
 *
 * <p>Written by the table's owner thread, read by consumers (the snapshot compiler): every method
 * is synchronized; the sections are short (one batch appended, or a merge of the batches asked
 * for).
 */
public final class ChangeLog {
  static final int MAX_BATCHES = 1024;
  static final int MAX_KEYS = 100_000;

  /** One view's changes; {@code keys} is null when there were too many to keep. */
  private record Batch(long seq, @Nullable Set<Object> keys) {}

  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private int keyCount;
  private long firstSeq = 1; // the oldest seq whose batch is still held (or the next one)

  /** Records the batch of view {@code seq} (seqs are consecutive). */
  synchronized void append(long seq, @Nullable Set<Object> keys) {
    Set<Object> kept = keys == null || keys.size() > MAX_KEYS ? null : Set.copyOf(keys);
    batches.addLast(new Batch(seq, kept));
    keyCount += kept == null ? 0 : kept.size();
    while (batches.size() > MAX_BATCHES || keyCount > MAX_KEYS) {
      Batch dropped = batches.removeFirst();
      keyCount -= dropped.keys() == null ? 0 : dropped.keys().size();
      firstSeq = dropped.seq() + 1;
    }
    if (batches.isEmpty()) {
      firstSeq = seq + 1;
    }
  }

  /**
   * The keys changed by views {@code from + 1 .. to}, or null when some of them are not held any
   * more or were too many.
   */
  synchronized @Nullable TableDelta between(long from, long to) {
    if (from == to) {
      return TableDelta.NONE;
    }
    if (from > to || from + 1 < firstSeq) {
      return null;
    }
    Set<RouteKey> routes = new HashSet<>();
    Set<CertificateKey> certificates = new HashSet<>();
    Set<TenantId> tenants = new HashSet<>();
    Set<String> hostClaims = new HashSet<>();
    Set<String> tokens = new HashSet<>();
    Set<BackendKey> backends = new HashSet<>();
    Set<ListenerKey> listeners = new HashSet<>();
    for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
      Batch b = it.next();
      if (b.seq() <= from) {
        continue;
      }
      if (b.seq() > to) {
        break;
      }
      if (b.keys() == null) {
        return null;
      }
      for (Object k : b.keys()) {
        if (k instanceof RouteKey r) {
          routes.add(r);
        } else if (k instanceof CertificateKey c) {
          certificates.add(c);
        } else if (k instanceof TenantId t) {
          tenants.add(t);
        } else if (k instanceof EntryKey e && e.kind() == EntryKind.HOST_CLAIM) {
          hostClaims.add(e.id());
        } else if (k instanceof EntryKey e && e.kind() == EntryKind.TOKEN) {
          tokens.add(e.id());
        } else if (k instanceof BackendKey n) {
          backends.add(n);
        } else if (k instanceof ListenerKey l) {
          listeners.add(l);
        }
      }
    }
    return new TableDelta(routes, certificates, tenants, hostClaims, tokens, backends, listeners);
  }
}
