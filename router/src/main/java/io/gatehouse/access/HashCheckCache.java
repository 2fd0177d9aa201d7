package io.gatehouse.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The recent successful password checks, so a returning Basic auth client costs an HMAC instead of
 * a hash. An entry is an HMAC-SHA256, under a key drawn at random when the node starts, of the
 * user, the password and the hash: a changed hash (a new password) misses at once, and a heap dump
 * does not let anyone guess passwords at SHA-256 speed, because the key is needed too. Entries live
 * {@code ttl} from their success; at most {@code maxEntries} are kept (expired ones are swept
 * first, then arbitrary ones, when a put finds the cache full), so a flood of distinct credentials
 * cannot grow it. Thread-safe; a hit allocates the user's bytes and the key.
 */
final class HashCheckCache {
  /** The cache's key: the HMAC's 256 bits. */
  record Key(long a, long b, long c, long d) {}

  private final ConcurrentHashMap<Key, Long> expiries = new ConcurrentHashMap<>();
  private final ThreadLocal<Mac> macs;
  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier nanoClock;

  HashCheckCache(long ttlNanos, int maxEntries, LongSupplier nanoClock) {
    if (ttlNanos <= 0 || maxEntries <= 0) {
      throw new IllegalArgumentException("ttl and maxEntries must be positive");
    }
    this.ttlNanos = ttlNanos;
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    SecretKeySpec key = new SecretKeySpec(secret, "HmacSHA256");
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
              }
            });
  }

  Key key(String user, byte[] password, String hash) {
    Mac mac = macs.get();
    // Length-prefixed fields, so no two (user, password, hash) triples share an input.
    byte[] u = user.getBytes(StandardCharsets.UTF_8);
    byte[] h = hash.getBytes(StandardCharsets.US_ASCII);
    mac.update(
        ByteBuffer.allocate(12).putInt(u.length).putInt(password.length).putInt(h.length).array());
    mac.update(u);
    mac.update(password);
    mac.update(h);
    ByteBuffer out = ByteBuffer.wrap(mac.doFinal());
    return new Key(out.getLong(), out.getLong(), out.getLong(), out.getLong());
  }

  /** Whether a success for {@code key} is remembered and not expired. */
  boolean remembers(Key key) {
    Long expiry = expiries.get(key);
    if (expiry == null) {
      return false;
    }
    if (expiry - nanoClock.getAsLong() > 0) {
      return true;
    }
    expiries.remove(key, expiry);
    return false;
  }

  void remember(Key key) {
    if (expiries.size() >= maxEntries) {
      makeRoom();
    }
    expiries.put(key, nanoClock.getAsLong() + ttlNanos);
  }

  int size() {
    return expiries.size();
  }

  private void makeRoom() {
    long now = nanoClock.getAsLong();
    expiries.values().removeIf(expiry -> expiry - now <= 0);
    if (expiries.size() < maxEntries) {
      return;
    }
    // Still full of live entries: drop a tenth, whichever the map iterates first.
    Iterator<Map.Entry<Key, Long>> it = expiries.entrySet().iterator();
    int excess = expiries.size() - maxEntries + Math.max(1, maxEntries / 10);
    while (excess-- > 0 && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
