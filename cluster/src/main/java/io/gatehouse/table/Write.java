package io.gatehouse.table;

import java.util.Objects;

/**
 * One change in a {@link Batch}: put a model record or delete a key, optionally on the condition
 * that the entry is at {@code expectedRevision}.
 */
public sealed interface Write {
  /** No condition. */
  long ANY = -1;

  /** The entry must not exist (or be a tombstone). */
  long ABSENT = 0;

  EntryKey key();

  long expectedRevision();

  record Put(EntryKey key, Object value, long expectedRevision) implements Write {
    public Put {
      Objects.requireNonNull(value, "value");
      if (!key.equals(EntryKey.of(value))) {
        throw new IllegalArgumentException("key " + key + " does not match its value");
      }
    }
  }

  record Delete(EntryKey key, long expectedRevision) implements Write {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  static Write put(Object value) {
    return new Put(EntryKey.of(value), value, ANY);
  }

  static Write put(Object value, long expectedRevision) {
    return new Put(EntryKey.of(value), value, expectedRevision);
  }

  static Write delete(EntryKey key) {
    return new Delete(key, ANY);
  }

  static Write delete(EntryKey key, long expectedRevision) {
    return new Delete(key, expectedRevision);
  }
}
