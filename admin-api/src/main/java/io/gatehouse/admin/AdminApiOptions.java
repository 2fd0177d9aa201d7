package io.gatehouse.admin;

import java.time.Duration;
import java.util.List;

/**
 * The admin listener and its safety limits.
 *
 * @param host address to bind; 127.0.0.1 by default, never the router's listeners
 * @param port 0 picks a free port (tests)
 * @param tlsCertPath PEM certificate chain for HTTPS on the admin listener; empty serves plain HTTP
 * @param tlsKeyPath the key of {@code tlsCertPath}
 * @param tlsClientCaPath PEM CA bundle: when set (with HTTPS), every client must present a
 *     certificate it signed before any token is read; empty asks for none
 * @param bodyLimitBytes larger request bodies get 413
 * @param ratePerSecond requests per second per token (refill rate)
 * @param rateBurst requests a token may send at once
 * @param deniedCidrs upstream ranges refused in addition to link-local and cloud metadata
 * @param bootstrapToken an admin token ({@code <id>.<secret>}) to store when the table has none;
 *     empty generates one and logs it once
 * @param defaultWaitTimeout how long {@code ?wait=all} waits when no {@code waitTimeout} is given
 * @param maxWaitTimeout the longest {@code waitTimeout} accepted
 */
public record AdminApiOptions(
    String host,
    int port,
    String tlsCertPath,
    String tlsKeyPath,
    String tlsClientCaPath,
    int bodyLimitBytes,
    double ratePerSecond,
    int rateBurst,
    List<String> deniedCidrs,
    String bootstrapToken,
    Duration defaultWaitTimeout,
    Duration maxWaitTimeout) {
  public static final AdminApiOptions DEFAULTS =
      new AdminApiOptions(
          "127.0.0.1",
          9902,
          "",
          "",
          "",
          64 * 1024,
          20,
          40,
          List.of(),
          "",
          Duration.ofSeconds(5),
          Duration.ofSeconds(60));

  public AdminApiOptions {
    deniedCidrs = List.copyOf(deniedCidrs);
  }

  public AdminApiOptions withListener(String newHost, int newPort) {
    return new AdminApiOptions(
        newHost,
        newPort,
        tlsCertPath,
        tlsKeyPath,
        tlsClientCaPath,
        bodyLimitBytes,
        ratePerSecond,
        rateBurst,
        deniedCidrs,
        bootstrapToken,
        defaultWaitTimeout,
        maxWaitTimeout);
  }

  public AdminApiOptions withTls(String certPath, String keyPath, String clientCaPath) {
    return new AdminApiOptions(
        host,
        port,
        certPath,
        keyPath,
        clientCaPath,
        bodyLimitBytes,
        ratePerSecond,
        rateBurst,
        deniedCidrs,
        bootstrapToken,
        defaultWaitTimeout,
        maxWaitTimeout);
  }

  public AdminApiOptions withRate(double perSecond, int burst) {
    return new AdminApiOptions(
        host,
        port,
        tlsCertPath,
        tlsKeyPath,
        tlsClientCaPath,
        bodyLimitBytes,
        perSecond,
        burst,
        deniedCidrs,
        bootstrapToken,
        defaultWaitTimeout,
        maxWaitTimeout);
  }

  public AdminApiOptions withBootstrapToken(String token) {
    return new AdminApiOptions(
        host,
        port,
        tlsCertPath,
        tlsKeyPath,
        tlsClientCaPath,
        bodyLimitBytes,
        ratePerSecond,
        rateBurst,
        deniedCidrs,
        token,
        defaultWaitTimeout,
        maxWaitTimeout);
  }

  @Override
  public String toString() {
    return "AdminApiOptions[host="
        + host
        + ", port="
        + port
        + ", tls="
        + !tlsCertPath.isBlank()
        + ", bootstrapToken="
        + (bootstrapToken.isBlank() ? "none" : "given")
        + "]";
  }
}
