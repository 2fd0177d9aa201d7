package io.gatehouse.validate;

import java.io.ByteArrayOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Just enough DER to read the algorithm of a PKCS#8 key and to wrap PKCS#1 (RSA) and SEC1 (EC) keys
 * into PKCS#8, which the JDK's {@code KeyFactory} reads. Errors carry no content.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;
  static final int CONTEXT_0 = 0xa0;

  static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
  static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
  static final String DSA = "1.2.840.10040.4.1";
  static final String ED25519 = "1.3.101.112";
  static final String ED448 = "1.3.101.113";
  static final String SECP256R1 = "1.2.840.10045.3.1.7";
  static final String SECP384R1 = "1.3.132.0.34";
  static final String SECP521R1 = "1.3.132.0.35";

  /** Malformed DER. */
  static final class DerException extends Exception {
    private static final long serialVersionUID = 1L;

    DerException() {
      super("malformed DER", null, false, false);
    }
  }

  /** One tag-length-value; {@code start} is where the value begins. */
  record Tlv(int tag, int start, int length) {
    int end() {
      return start + length;
    }
  }

  private Der() {}

  static Tlv read(byte[] b, int pos, int limit) throws DerException {
    if (pos + 2 > limit) {
      throw new DerException();
    }
    int tag = b[pos] & 0xff;
    int first = b[pos + 1] & 0xff;
    int p = pos + 2;
    int len;
    if (first < 0x80) {
      len = first;
    } else {
      int n = first & 0x7f;
      if (n == 0 || n > 3 || p + n > limit) {
        throw new DerException();
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (b[p++] & 0xff);
      }
    }
    if (len < 0 || p + len > limit) {
      throw new DerException();
    }
    return new Tlv(tag, p, len);
  }

  static Tlv expect(byte[] b, int pos, int limit, int tag) throws DerException {
    Tlv t = read(b, pos, limit);
    if (t.tag() != tag) {
      throw new DerException();
    }
    return t;
  }

  static String oid(byte[] b, Tlv t) throws DerException {
    if (t.tag() != OID || t.length() == 0) {
      throw new DerException();
    }
    StringBuilder s = new StringBuilder();
    long value = 0;
    boolean first = true;
    for (int i = t.start(); i < t.end(); i++) {
      value = (value << 7) | (b[i] & 0x7f);
      if (value > Integer.MAX_VALUE) {
        throw new DerException();
      }
      if ((b[i] & 0x80) == 0) {
        if (first) {
          long top = Math.min(value / 40, 2);
          s.append(top).append('.').append(value - top * 40);
          first = false;
        } else {
          s.append('.').append(value);
        }
        value = 0;
      }
    }
    return s.toString();
  }

  /** The algorithm OID of a PKCS#8 PrivateKeyInfo, and for EC keys the named curve (or null). */
  record KeyAlgorithm(String oid, @Nullable String curve) {}

  static KeyAlgorithm pkcs8Algorithm(byte[] der) throws DerException {
    Tlv info = expect(der, 0, der.length, SEQUENCE);
    Tlv version = expect(der, info.start(), info.end(), INTEGER);
    Tlv alg = expect(der, version.end(), info.end(), SEQUENCE);
    Tlv oid = read(der, alg.start(), alg.end());
    String algOid = oid(der, oid);
    String curve = null;
    if (oid.end() < alg.end()) {
      Tlv params = read(der, oid.end(), alg.end());
      if (params.tag() == OID) {
        curve = oid(der, params);
      }
    }
    expect(der, alg.end(), info.end(), OCTET_STRING);
    return new KeyAlgorithm(algOid, curve);
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) throws DerException {
    Tlv key = expect(pkcs1, 0, pkcs1.length, SEQUENCE);
    expect(pkcs1, key.start(), key.end(), INTEGER);
    byte[] alg = tlv(SEQUENCE, concat(encodeOid(RSA_ENCRYPTION), new byte[] {NULL, 0}));
    return tlv(SEQUENCE, concat(new byte[] {INTEGER, 1, 0}, alg, tlv(OCTET_STRING, pkcs1)));
  }

  /** The named curve of a SEC1 ECPrivateKey, or a null curve when it names none. */
  static KeyAlgorithm sec1Curve(byte[] sec1) throws DerException {
    Tlv key = expect(sec1, 0, sec1.length, SEQUENCE);
    Tlv version = expect(sec1, key.start(), key.end(), INTEGER);
    Tlv priv = expect(sec1, version.end(), key.end(), OCTET_STRING);
    if (priv.end() < key.end()) {
      Tlv next = read(sec1, priv.end(), key.end());
      if (next.tag() == CONTEXT_0) {
        Tlv curve = read(sec1, next.start(), next.end());
        if (curve.tag() == OID) {
          return new KeyAlgorithm(EC_PUBLIC_KEY, oid(sec1, curve));
        }
      }
    }
    return new KeyAlgorithm(EC_PUBLIC_KEY, null);
  }

  /** Wraps a SEC1 ECPrivateKey in a PKCS#8 PrivateKeyInfo for {@code curve}. */
  static byte[] sec1ToPkcs8(byte[] sec1, String curve) throws DerException {
    byte[] alg = tlv(SEQUENCE, concat(encodeOid(EC_PUBLIC_KEY), encodeOid(curve)));
    return tlv(SEQUENCE, concat(new byte[] {INTEGER, 1, 0}, alg, tlv(OCTET_STRING, sec1)));
  }

  static byte[] encodeOid(String dotted) throws DerException {
    String[] parts = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long first = Long.parseLong(parts[0]) * 40 + Long.parseLong(parts[1]);
    base128(out, first);
    for (int i = 2; i < parts.length; i++) {
      base128(out, Long.parseLong(parts[i]));
    }
    return tlv(OID, out.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, long v) {
    byte[] groups = new byte[10];
    int n = 0;
    do {
      groups[n++] = (byte) (v & 0x7f);
      v >>>= 7;
    } while (v != 0);
    for (int i = n - 1; i > 0; i--) {
      out.write(groups[i] | 0x80);
    }
    out.write(groups[0]);
  }

  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
