package io.gatehouse.policy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A JWK Set (RFC 7517) made ready to verify with: each usable key with its verifier built once, so
 * a request pays only for the signature check. Only public keys are used (the public half of a
 * private JWK), and symmetric ({@code oct}) keys only from an inline set: a key a URL serves is
 * never an HMAC secret. A key is matched to a token's algorithm by its type (RSA for RS and PS, EC
 * of the algorithm's curve for ES, Ed25519 for EdDSA, {@code oct} for HS) and by its own {@code
 * alg}, {@code use} and {@code key_ops} when it names them, so a public key can never be used as an
 * HMAC secret (RFC 8725 section 2.1). Immutable; never holds or prints key material beyond the
 * verifiers.
 */
public final class JwtKeySet {
  /** The most keys a set may hold: a larger one is refused (bounds the work per token). */
  public static final int MAX_KEYS = 100;

  /** RSA keys shorter than this are not used (RFC 7518 section 3.3). */
  static final int MIN_RSA_BITS = 2048;

  /** A set without keys: every token is refused. */
  public static final JwtKeySet EMPTY = new JwtKeySet(List.of(), List.of());

  /**
   * One usable key: its id (or null), the family it signs for, its own {@code alg} (or null), and
   * for a symmetric key its size in bits (an HS algorithm needs a secret at least as long as its
   * hash, RFC 7518 section 3.2).
   */
  record Key(@Nullable String kid, Family family, @Nullable String alg, int bits, Check check) {
    boolean fits(JWSAlgorithm a) {
      return family.accepts(a)
          && (alg == null || alg.equals(a.getName()))
          && (family != Family.OCT || bits >= hmacBits(a));
    }

    private static int hmacBits(JWSAlgorithm a) {
      return JWSAlgorithm.HS512.equals(a) ? 512 : JWSAlgorithm.HS384.equals(a) ? 384 : 256;
    }
  }

  /** Verifies one token's signature. */
  interface Check {
    boolean verify(SignedJWT jwt) throws JOSEException;
  }

  /** The key types and the algorithms each may verify. */
  enum Family {
    RSA(
        Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512)),
    EC_P256(Set.of(JWSAlgorithm.ES256)),
    EC_P384(Set.of(JWSAlgorithm.ES384)),
    EC_P521(Set.of(JWSAlgorithm.ES512)),
    ED25519(Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519)),
    OCT(Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512));

    private final Set<JWSAlgorithm> algorithms;

    Family(Set<JWSAlgorithm> algorithms) {
      this.algorithms = algorithms;
    }

    boolean accepts(JWSAlgorithm a) {
      return algorithms.contains(a);
    }
  }

  private final List<Key> keys;
  private final List<String> skipped;

  private JwtKeySet(List<Key> keys, List<String> skipped) {
    this.keys = List.copyOf(keys);
    this.skipped = List.copyOf(skipped);
  }

  /**
   * Reads a JWK Set. Keys that cannot verify here (an unknown type or curve, {@code use} other than
   * {@code sig}, {@code key_ops} without {@code verify}, a short RSA key, a symmetric key when
   * {@code symmetric} is false, or shorter than 256 bits) are left out and named in {@link
   * #skipped}.
   *
   * @param symmetric whether {@code oct} keys are used (inline sets only)
   * @throws IllegalArgumentException when the text is not a JWK Set or holds more than {@link
   *     #MAX_KEYS} keys; the message never quotes the text
   */
  public static JwtKeySet parse(String json, boolean symmetric) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a JWK Set (RFC 7517): " + safeMessage(e));
    }
    List<JWK> jwks = set.getKeys();
    if (jwks.size() > MAX_KEYS) {
      throw new IllegalArgumentException(
          "the JWK Set holds " + jwks.size() + " keys (at most " + MAX_KEYS + ")");
    }
    List<Key> keys = new ArrayList<>(jwks.size());
    List<String> skipped = new ArrayList<>(0);
    for (int i = 0; i < jwks.size(); i++) {
      JWK jwk = jwks.get(i);
      String name = jwk.getKeyID() == null ? "key #" + i : "key \"" + jwk.getKeyID() + "\"";
      String why = unusable(jwk, symmetric);
      if (why != null) {
        skipped.add(name + ": " + why);
        continue;
      }
      try {
        keys.add(key(jwk));
      } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
        skipped.add(name + ": " + safeMessage(e));
      }
    }
    return new JwtKeySet(keys, skipped);
  }

  /** The keys left out, each named by its {@code kid} (or position) with the reason. */
  public List<String> skipped() {
    return skipped;
  }

  /** The number of usable keys. */
  public int size() {
    return keys.size();
  }

  /** Whether some usable key verifies tokens of {@code algorithm}. */
  public boolean supports(JWSAlgorithm algorithm) {
    for (Key k : keys) {
      if (k.fits(algorithm)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some key carries this id. */
  boolean hasKid(String kid) {
    for (Key k : keys) {
      if (kid.equals(k.kid())) {
        return true;
      }
    }
    return false;
  }

  List<Key> keys() {
    return keys;
  }

  private static @Nullable String unusable(JWK jwk, boolean symmetric) {
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return "use is not \"sig\"";
    }
    Set<KeyOperation> ops = jwk.getKeyOperations();
    if (ops != null && !ops.contains(KeyOperation.VERIFY)) {
      return "key_ops has no \"verify\"";
    }
    if (jwk.getKeyRevocation() != null) {
      return "revoked";
    }
    KeyType type = jwk.getKeyType();
    if (KeyType.OCT.equals(type) && !symmetric) {
      return "a symmetric key is used only when given inline, never from a URL";
    }
    if (KeyType.RSA.equals(type) && jwk.size() < MIN_RSA_BITS) {
      return "RSA key of " + jwk.size() + " bits (at least " + MIN_RSA_BITS + ")";
    }
    if (KeyType.OKP.equals(type) && !Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve())) {
      return "OKP curve " + ((OctetKeyPair) jwk).getCurve() + " does not sign (Ed25519 does)";
    }
    if (!KeyType.RSA.equals(type)
        && !KeyType.EC.equals(type)
        && !KeyType.OKP.equals(type)
        && !KeyType.OCT.equals(type)) {
      return "key type " + type + " is not supported";
    }
    return null;
  }

  private static Key key(JWK jwk) throws JOSEException, GeneralSecurityException {
    String kid = jwk.getKeyID();
    String alg = jwk.getAlgorithm() == null ? null : jwk.getAlgorithm().getName();
    KeyType type = jwk.getKeyType();
    if (KeyType.RSA.equals(type)) {
      JWSVerifier v = new RSASSAVerifier((RSAKey) jwk.toPublicJWK());
      return new Key(kid, Family.RSA, alg, 0, jwt -> jwt.verify(v));
    }
    if (KeyType.EC.equals(type)) {
      ECKey ec = (ECKey) jwk.toPublicJWK();
      Family f;
      if (Curve.P_256.equals(ec.getCurve())) {
        f = Family.EC_P256;
      } else if (Curve.P_384.equals(ec.getCurve())) {
        f = Family.EC_P384;
      } else if (Curve.P_521.equals(ec.getCurve())) {
        f = Family.EC_P521;
      } else {
        throw new JOSEException("EC curve " + ec.getCurve() + " is not supported");
      }
      JWSVerifier v = new ECDSAVerifier(ec);
      return new Key(kid, f, alg, 0, jwt -> jwt.verify(v));
    }
    if (KeyType.OKP.equals(type)) {
      PublicKey pub = ed25519(((OctetKeyPair) jwk).getX().decode());
      return new Key(kid, Family.ED25519, alg, 0, jwt -> verifyEd25519(pub, jwt));
    }
    // KeyType.OCT (unusable() let nothing else through). MACVerifier refuses secrets shorter
    // than 256 bits, and each HS algorithm's own minimum when it verifies.
    JWSVerifier v = new MACVerifier((OctetSequenceKey) jwk);
    return new Key(kid, Family.OCT, alg, jwk.size(), jwt -> jwt.verify(v));
  }

  // Ed25519 through the JDK (15+): nimbus verifies it only with Tink, which is not on the path.
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private static PublicKey ed25519(byte[] x) throws GeneralSecurityException {
    if (x.length != 32) {
      throw new GeneralSecurityException("Ed25519 x is not 32 bytes");
    }
    byte[] der = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, der, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  private static boolean verifyEd25519(PublicKey key, SignedJWT jwt) throws JOSEException {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(jwt.getSigningInput());
      return s.verify(jwt.getSignature().decode());
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature is a failed check
    }
  }

  /** The exception's own message, cut short: nimbus's messages name fields, never key material. */
  private static String safeMessage(Exception e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }

  @Override
  public String toString() {
    return "JwtKeySet[" + keys.size() + " keys, " + skipped.size() + " skipped]";
  }
}
