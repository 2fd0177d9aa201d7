package io.gatehouse.table;

import java.util.Collection;
import java.util.List;

/**
 * A node's durable copy of the durable entries, tombstones included. An embedded database now; an
 * external one (PostgreSQL) can implement the same contract later.
 */
public interface EntryStore extends AutoCloseable {
  /** Every stored entry. Sequences are meaningless across restarts; revisions are kept. */
  List<Versioned> load();

  /**
   * Stores each entry unless the store holds a copy that supersedes it; on return the data is on
   * disk (fsync'd).
   */
  void write(Collection<Versioned> entries);

  @Override
  void close();

  /** A store that keeps nothing (a node without a data directory). */
  EntryStore NONE =
      new EntryStore() {
        @Override
        public List<Versioned> load() {
          return List.of();
        }

        @Override
        public void write(Collection<Versioned> entries) {}

        @Override
        public void close() {}
      };
}
