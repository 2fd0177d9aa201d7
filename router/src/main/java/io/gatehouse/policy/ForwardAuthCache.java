package io.gatehouse.policy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The node's cache of forward-auth answers (2xx, 401 and 403 only), shared by every route and event
 * loop: at most {@code maxEntries}, least recently used first out, each kept for its policy's
 * {@code cacheDuration}. A key is the SHA-256 of the route, the policy and the values of its {@code
 * cacheKey} headers, so the cache holds no credential (a client's {@code Authorization} is only
 * hashed) and an entry costs about 200 bytes whatever the headers' size. One lock: a hit is a
 * digest and a map lookup (about a microsecond), small beside the subrequest it saves.
 */
public final class ForwardAuthCache {
  /** The default bound: 10,000 entries, about 2 MB. */
  public static final int DEFAULT_MAX_ENTRIES = 10_000;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(ForwardAuthCache::sha256);

  private final int maxEntries;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<Key, Entry> entries;

  public ForwardAuthCache(int maxEntries, LongSupplier nanoClock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: at least 1)");
    }
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > ForwardAuthCache.this.maxEntries;
          }
        };
  }

  /** The answer kept for {@code key} and not yet expired, or null. */
  public @Nullable ForwardAuthAnswer get(Key key) {
    long now = nanoClock.getAsLong();
    synchronized (entries) {
      Entry e = entries.get(key);
      if (e == null) {
        return null;
      }
      if (now - e.expiresAt >= 0) {
        entries.remove(key);
        return null;
      }
      return e.answer;
    }
  }

  /** Keeps {@code answer} for {@code ttlNanos} (nothing when it is not positive). */
  public void put(Key key, ForwardAuthAnswer answer, long ttlNanos) {
    if (ttlNanos <= 0) {
      return;
    }
    long expiresAt = nanoClock.getAsLong() + ttlNanos;
    synchronized (entries) {
      entries.put(key, new Entry(answer, expiresAt));
    }
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private record Entry(ForwardAuthAnswer answer, long expiresAt) {}

  /** A cache key: the SHA-256 of a scope (route and policy) and the key headers' values. */
  public record Key(long a, long b, long c, long d) {
    /**
     * The key of {@code values} (null: the header is absent, distinct from an empty value) within
     * {@code scope}.
     */
    public static Key of(byte[] scope, @Nullable String[] values) {
      MessageDigest md = SHA256.get();
      md.reset();
      md.update(scope);
      for (String v : values) {
        if (v == null) {
          md.update((byte) 0);
        } else {
          byte[] b = v.getBytes(StandardCharsets.UTF_8);
          md.update((byte) 1);
          md.update(ByteBuffer.allocate(4).putInt(0, b.length));
          md.update(b);
        }
      }
      ByteBuffer h = ByteBuffer.wrap(md.digest());
      return new Key(h.getLong(), h.getLong(), h.getLong(), h.getLong());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
