package io.gatehouse.acme;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * An ACME account: its key pair, made and kept on the node. The server knows the account by its
 * public key, so the same pair finds the same account again. {@link #toString} names the key's
 * algorithm only: the private key never reaches a log line or an output.
 */
public final class AcmeAccount {
  private final KeyPair keyPair;

  private AcmeAccount(KeyPair keyPair) {
    this.keyPair = keyPair;
  }

  /** A new account key (EC P-256, which every ACME server accepts). */
  public static AcmeAccount generate() {
    return new AcmeAccount(newP256());
  }

  /** An account for an existing key pair (loaded from where the node keeps it). */
  public static AcmeAccount of(KeyPair keyPair) {
    return new AcmeAccount(keyPair);
  }

  KeyPair keyPair() {
    return keyPair;
  }

  /** A fresh EC P-256 key pair: account keys and certificate keys alike. */
  static KeyPair newP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      // every JDK 17 ships EC P-256 (SunEC); its absence is a broken runtime, not a user error
      throw new IllegalStateException("EC P-256 is not available in this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "AcmeAccount[" + keyPair.getPublic().getAlgorithm() + " key]";
  }
}
