package io.gatehouse.access;

import io.gatehouse.validate.Htpasswd;
import java.security.MessageDigest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Verifies a password against a bcrypt or Argon2 hash with BouncyCastle. Slow by design (tens of
 * milliseconds): only {@link HashChecks}' pool calls it. Both compares are constant-time:
 * BouncyCastle's bcrypt check compares the whole strings so, and the Argon2 output is compared with
 * {@link MessageDigest#isEqual}. bcrypt reads at most 72 bytes of a password, as every bcrypt does.
 */
final class HashVerifier {
  private HashVerifier() {}

  /**
   * Whether {@code password} hashes to {@code hash}.
   *
   * @throws IllegalArgumentException when {@code hash} is not one {@link Htpasswd} accepts
   */
  static boolean matches(String hash, byte[] password) {
    return switch (Htpasswd.scheme(hash)) {
      case BCRYPT -> OpenBSDBCrypt.checkPassword(hash, password);
      case ARGON2 -> argon2(Htpasswd.argon2(hash), password);
    };
  }

  private static boolean argon2(Htpasswd.Argon2 a, byte[] password) {
    int type =
        switch (a.variant()) {
          case "argon2i" -> Argon2Parameters.ARGON2_i;
          case "argon2d" -> Argon2Parameters.ARGON2_d;
          default -> Argon2Parameters.ARGON2_id;
        };
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(type)
            .withVersion(
                a.version() == 0x13
                    ? Argon2Parameters.ARGON2_VERSION_13
                    : Argon2Parameters.ARGON2_VERSION_10)
            .withMemoryAsKB(a.memoryKib())
            .withIterations(a.iterations())
            .withParallelism(a.parallelism())
            .withSalt(a.salt())
            .build());
    byte[] out = new byte[a.hash().length];
    g.generateBytes(password, out);
    return MessageDigest.isEqual(out, a.hash());
  }
}
