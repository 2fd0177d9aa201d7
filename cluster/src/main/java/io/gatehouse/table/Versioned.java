package io.gatehouse.table;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry as the table stores it.
 *
 * @param revision the write that produced this content; exposed as an ETag, compared when two
 *     copies of an entry meet (cold start, split-brain heal): the higher revision wins
 * @param sequence the table generation at which this copy was applied; contiguous across the
 *     cluster, so a node knows when it has seen every change up to a generation
 * @param batchSize how many entries the write of {@code sequence} touched; a node applies them
 *     together so that no node ever serves half of a batch
 * @param value the model record, or null for a tombstone (kept so a delete wins over an older put)
 * @param durable written to each node's disk; false for entries rebuilt from Kubernetes
 */
public record Versioned(
    EntryKey key,
    long revision,
    long sequence,
    int batchSize,
    @Nullable Object value,
    boolean durable) {
  public Versioned {
    Objects.requireNonNull(key, "key");
    if (value != null && !key.kind().type().isInstance(value)) {
      throw new IllegalArgumentException(key + " cannot hold " + value.getClass().getSimpleName());
    }
  }

  public boolean deleted() {
    return value == null;
  }

  /** The merge rule: the higher revision wins; equal revisions keep the tombstone. */
  public boolean supersedes(Versioned other) {
    if (other == null) {
      return true;
    }
    if (revision != other.revision) {
      return revision > other.revision;
    }
    return deleted() && !other.deleted();
  }

  public Versioned withSequence(long newSequence, int newBatchSize) {
    return new Versioned(key, revision, newSequence, newBatchSize, value, durable);
  }

  @Override
  public String toString() {
    return "Versioned["
        + key
        + " rev="
        + revision
        + " seq="
        + sequence
        + (deleted() ? " deleted" : "")
        + "]";
  }
}
