package io.gatehouse.admin.auth;

import io.gatehouse.model.TenantId;
import io.gatehouse.model.TokenSpec;
import io.gatehouse.table.TableView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens: {@code <id>.<secret>}. The id finds the stored {@link TokenSpec}; the secret's
 * SHA-256 is compared with the stored hash in constant time. Secrets are 32 random bytes.
 */
public final class Tokens {
  /** The id a node gives the admin token it creates on first start. */
  public static final String BOOTSTRAP_ID = "bootstrap";

  private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{32,256}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  // Compared against when the id is unknown, so a miss costs what a hit costs.
  private static final byte[] DUMMY = new byte[32];

  private Tokens() {}

  /** A token as issued: the bearer string and what the table stores. */
  public record Issued(String bearer, TokenSpec spec) {
    @Override
    public String toString() {
      return "Issued[" + spec + "]";
    }
  }

  public static Issued issue(
      String id, @Nullable TenantId tenant, String description, long nowMillis) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    return new Issued(
        id + "." + secret, new TokenSpec(id, tenant, hash(secret), nowMillis, description));
  }

  /** A fresh id: {@code t} and ten random characters. */
  public static String newId() {
    StringBuilder b = new StringBuilder("t");
    for (int i = 0; i < 10; i++) {
      b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return b.toString();
  }

  /** The spec for a token given from outside (automation), or empty if it is not well formed. */
  public static Optional<TokenSpec> given(String bearer, long nowMillis, String description) {
    int dot = bearer.indexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    String id = bearer.substring(0, dot);
    String secret = bearer.substring(dot + 1);
    if (!ID.matcher(id).matches() || !SECRET.matcher(secret).matches()) {
      return Optional.empty();
    }
    return Optional.of(new TokenSpec(id, null, hash(secret), nowMillis, description));
  }

  /** Whether {@code bearer} has the form a token must have. */
  public static boolean wellFormed(String bearer) {
    return given(bearer, 0, "").isPresent();
  }

  /** The caller {@code bearer} authenticates, if any. */
  public static Optional<Caller> authenticate(TableView view, @Nullable String bearer) {
    if (bearer == null) {
      return Optional.empty();
    }
    int dot = bearer.indexOf('.');
    String id = dot < 0 ? "" : bearer.substring(0, dot);
    String secret = dot < 0 ? bearer : bearer.substring(dot + 1);
    TokenSpec spec = view.tokens().get(id);
    byte[] presented = sha256(secret);
    byte[] stored = spec == null ? DUMMY : HexFormat.of().parseHex(spec.secretHash());
    boolean equal = MessageDigest.isEqual(presented, stored);
    if (spec == null || !equal) {
      return Optional.empty();
    }
    return Optional.of(new Caller(spec.id(), spec.tenant()));
  }

  public static String hash(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
