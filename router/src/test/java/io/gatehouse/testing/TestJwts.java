package io.gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.text.ParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys and tokens for JWT tests: one key of each type (made once per JVM), well-formed tokens
 * signed with nimbus, and the hostile ones (unsecured, HMAC keyed with a public key) written by
 * hand, as an attacker would.
 */
public final class TestJwts {
  public static final RSAKey RSA = rsa("rsa-1");
  public static final RSAKey RSA_ROTATED = rsa("rsa-2");
  public static final ECKey EC = ec("ec-1");
  public static final OctetSequenceKey OCT = oct("hmac-1");
  public static final KeyPair ED_PAIR = ed25519();
  public static final OctetKeyPair ED = edJwk("ed-1", ED_PAIR);

  private TestJwts() {}

  /** A JWK Set of the keys' public halves (an {@code oct} key as it is). */
  public static String jwks(JWK... keys) {
    return new JWKSet(
            Arrays.stream(keys)
                .map(k -> k instanceof OctetSequenceKey ? k : k.toPublicJWK())
                .toList())
        .toString(false);
  }

  /** Claims valid for the next five minutes, from {@code iss} for {@code aud}. */
  public static Map<String, Object> claims(String iss, String aud) {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", iss);
    c.put("aud", aud);
    c.put("sub", "alice");
    c.put("iat", now);
    c.put("exp", now + 300);
    return c;
  }

  /** {@code claims} signed with {@code key} in {@code alg}, naming the key's {@code kid}. */
  public static String sign(JWK key, JWSAlgorithm alg, Map<String, Object> claims) {
    return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
  }

  public static String sign(JWK key, JWSHeader header, Map<String, Object> claims) {
    try {
      if (key instanceof OctetKeyPair) {
        return signEd25519(header, claims);
      }
      JWSSigner signer =
          key instanceof RSAKey r
              ? new RSASSASigner(r)
              : key instanceof ECKey e ? new ECDSASigner(e) : new MACSigner((OctetSequenceKey) key);
      SignedJWT jwt = new SignedJWT(header, JWTClaimsSet.parse(claims));
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException | ParseException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured JWT ({@code alg: none}, empty signature), as RFC 7519 section 6 writes it. */
  public static String unsecured(Map<String, Object> claims) {
    return part(Map.of("alg", "none", "typ", "JWT")) + "." + part(claims) + ".";
  }

  /**
   * The key-confusion attack: an HS256 token whose HMAC secret is the RSA key's public key (its DER
   * bytes), naming that key's {@code kid}, for a verifier that would take "the key" of the kid as a
   * secret.
   */
  public static String hmacWithPublicKey(RSAKey key, Map<String, Object> claims) {
    try {
      byte[] secret = key.toRSAPublicKey().getEncoded();
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("alg", "HS256");
      header.put("kid", key.getKeyID());
      String input = part(header) + "." + part(claims);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] sig = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + Base64URL.encode(sig);
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token signed by {@code key} whose header names {@code kid} instead of the key's own. */
  public static String withKid(RSAKey key, String kid, Map<String, Object> claims) {
    return sign(key, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
  }

  private static String signEd25519(JWSHeader header, Map<String, Object> claims)
      throws GeneralSecurityException {
    String input = header.toBase64URL() + "." + part(claims);
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(ED_PAIR.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64URL.encode(s.sign());
  }

  private static String part(Map<String, Object> json) {
    return Base64URL.encode(JSONObjectUtils.toJSONString(json)).toString();
  }

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OctetSequenceKey oct(String kid) {
    try {
      return new OctetSequenceKeyGenerator(512).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWK of a JDK Ed25519 key pair: its last 32 DER bytes are x. */
  private static OctetKeyPair edJwk(String kid, KeyPair pair) {
    byte[] der = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(der, der.length - 32, der.length);
    return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
  }
}
