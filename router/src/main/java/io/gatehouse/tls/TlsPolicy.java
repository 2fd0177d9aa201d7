package io.gatehouse.tls;

import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * What the HTTPS listener offers: TLS versions, TLS 1.2 cipher suites, key-exchange groups, session
 * tickets, and the hosts only TLS 1.3 clients may reach. Built from the node's {@code tls.*} keys
 * by {@link #parse}, which refuses (never drops) what Gatehouse cannot honour; {@link #checkEngine}
 * then refuses what the running engine cannot.
 *
 * <p>TLS 1.3 suites are not configurable: BoringSSL (the OpenSSL engine) always offers its three,
 * all AEAD, so a setting could not be honoured there; both engines offer the same three.
 *
 * @param protocols {@code TLSv1.3} and/or {@code TLSv1.2}, newest first
 * @param cipherSuites TLS 1.2 suites (IANA names), in the configured order
 * @param groups canonical group names (X25519, P-256, P-384, P-521); empty: the engine's defaults
 * @param sessionTickets whether tickets are issued (TLS 1.2 and 1.3)
 * @param sessionTimeout how long a session (and a ticket) may be resumed; zero: the engine's
 * @param tls13Hosts exact host names and {@code *.domain} patterns that require TLS 1.3
 */
public record TlsPolicy(
    List<String> protocols,
    List<String> cipherSuites,
    List<String> groups,
    boolean sessionTickets,
    Duration sessionTimeout,
    Set<String> tls13Hosts) {

  public static final String TLS12 = "TLSv1.2";
  public static final String TLS13 = "TLSv1.3";

  /** Every TLS 1.3 suite; always offered while TLS 1.3 is on. */
  public static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  /** Mozilla's "intermediate" TLS 1.2 suites: ECDHE with AES-GCM or ChaCha20-Poly1305. */
  public static final List<String> DEFAULT_TLS12_SUITES =
      List.of(
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  public static final TlsPolicy DEFAULTS =
      new TlsPolicy(
          List.of(TLS13, TLS12), DEFAULT_TLS12_SUITES, List.of(), true, Duration.ZERO, Set.of());

  /** RFC 8446 caps a ticket's lifetime at seven days. */
  static final Duration MAX_SESSION_TIMEOUT = Duration.ofDays(7);

  /** The JVM-wide switch of the JDK's server tickets (Java 17 reads it once). */
  public static final String JDK_TICKETS_PROPERTY = "jdk.tls.server.enableSessionTicketExtension";

  /** Accepted spellings of each group, to the name BoringSSL takes. */
  private static final Map<String, String> GROUPS =
      Map.ofEntries(
          Map.entry("x25519", "X25519"),
          Map.entry("p-256", "P-256"),
          Map.entry("secp256r1", "P-256"),
          Map.entry("prime256v1", "P-256"),
          Map.entry("p-384", "P-384"),
          Map.entry("secp384r1", "P-384"),
          Map.entry("p-521", "P-521"),
          Map.entry("secp521r1", "P-521"));

  public TlsPolicy {
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
    groups = List.copyOf(groups);
    tls13Hosts = Set.copyOf(tls13Hosts);
  }

  /** A setting Gatehouse cannot honour: the key, the value and what it takes instead. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String value;
    private final String expected;

    Invalid(String key, String value, String expected) {
      super(key + ": \"" + value + "\" (expected: " + expected + ")");
      this.key = key;
      this.value = value;
      this.expected = expected;
    }

    public String key() {
      return key;
    }

    public String value() {
      return value;
    }

    public String expected() {
      return expected;
    }
  }

  /**
   * The policy the {@code tls.*} values describe.
   *
   * @throws Invalid naming the key and the value that cannot be honoured
   */
  public static TlsPolicy parse(
      List<String> protocols,
      List<String> cipherSuites,
      List<String> groups,
      boolean sessionTickets,
      Duration sessionTimeout,
      List<String> minVersionByHost) {
    Set<String> versions = new LinkedHashSet<>();
    for (String p : protocols) {
      String v = p.trim();
      if (v.equals("TLSv1") || v.equals("TLSv1.1") || v.startsWith("SSL")) {
        throw new Invalid(
            "tls.protocols", v, "TLSv1.2 and/or TLSv1.3; older versions are insecure and refused");
      }
      if (!v.equals(TLS12) && !v.equals(TLS13)) {
        throw new Invalid("tls.protocols", v, "TLSv1.2 and/or TLSv1.3");
      }
      versions.add(v);
    }
    if (versions.isEmpty()) {
      throw new Invalid("tls.protocols", "", "TLSv1.2 and/or TLSv1.3");
    }
    List<String> ordered = new ArrayList<>();
    if (versions.contains(TLS13)) {
      ordered.add(TLS13);
    }
    if (versions.contains(TLS12)) {
      ordered.add(TLS12);
    }
    Set<String> suites = new LinkedHashSet<>();
    for (String s : cipherSuites) {
      String suite = s.trim();
      if (TLS13_SUITES.contains(suite)) {
        throw new Invalid(
            "tls.cipherSuites",
            suite,
            "TLS 1.2 suites only; TLS 1.3 suites are fixed (BoringSSL always offers all three)");
      }
      if (!suite.matches("(TLS|SSL)_[A-Z0-9_]+")) {
        throw new Invalid(
            "tls.cipherSuites", suite, "IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      }
      if (!h2Allowed(suite)) {
        throw new Invalid(
            "tls.cipherSuites",
            suite,
            "a suite off HTTP/2's block list (ECDHE or DHE with AES-GCM, ChaCha20-Poly1305 or CCM),"
                + " because the HTTPS listener offers h2");
      }
      suites.add(suite);
    }
    if (versions.contains(TLS12) && suites.isEmpty()) {
      throw new Invalid(
          "tls.cipherSuites", "", "at least one TLS 1.2 suite while tls.protocols has TLSv1.2");
    }
    Set<String> canonicalGroups = new LinkedHashSet<>();
    for (String g : groups) {
      String name = GROUPS.get(g.trim().toLowerCase(Locale.ROOT));
      if (name == null) {
        throw new Invalid("tls.groups", g.trim(), "X25519, P-256, P-384 or P-521");
      }
      canonicalGroups.add(name);
    }
    Set<String> tls13Hosts = new LinkedHashSet<>();
    for (String entry : minVersionByHost) {
      int eq = entry.indexOf('=');
      String host = eq < 0 ? "" : entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String min = eq < 0 ? "" : entry.substring(eq + 1).trim();
      if (!validHostPattern(host) || !(min.equals(TLS12) || min.equals(TLS13))) {
        throw new Invalid(
            "tls.minVersionByHost",
            entry.trim(),
            "HOST=TLSv1.3 or HOST=TLSv1.2, HOST an exact name or *.domain");
      }
      if (min.equals(TLS13)) {
        if (!versions.contains(TLS13)) {
          throw new Invalid(
              "tls.minVersionByHost", entry.trim(), "TLSv1.3 in tls.protocols to require it");
        }
        tls13Hosts.add(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
      }
    }
    if (!sessionTimeout.isZero()
        && (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0
            || sessionTimeout.compareTo(MAX_SESSION_TIMEOUT) > 0)) {
      throw new Invalid(
          "tls.sessionTimeout",
          sessionTimeout.toString(),
          "0 (the engine's default), or from 1s to 7d (RFC 8446's longest ticket lifetime)");
    }
    return new TlsPolicy(
        ordered,
        List.copyOf(suites),
        List.copyOf(canonicalGroups),
        sessionTickets,
        Duration.ofSeconds(sessionTimeout.getSeconds()),
        tls13Hosts);
  }

  private static boolean validHostPattern(String host) {
    String name = host.startsWith("*.") ? host.substring(2) : host;
    return !name.isEmpty()
        && name.length() <= 253
        && name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");
  }

  /**
   * Whether a TLS 1.2 suite is off RFC 9113's block list (Appendix A lists every suite that is not
   * ephemeral key exchange with an AEAD cipher).
   */
  static boolean h2Allowed(String suite) {
    boolean ephemeral = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
    boolean aead =
        suite.contains("_GCM_")
            || suite.endsWith("_CCM")
            || suite.endsWith("_CCM_8")
            || suite.contains("_CHACHA20_POLY1305_");
    return ephemeral && aead && !suite.contains("_PSK_");
  }

  /**
   * Refuses what {@code engine} cannot do: a suite it does not implement, and on the JDK any group
   * list, or tickets other than the JVM's (Java 17 sets both only JVM-wide, through system
   * properties).
   */
  public void checkEngine(TlsServerOptions.Engine engine) {
    checkSuites(engine);
    if (engine == TlsServerOptions.Engine.OPENSSL) {
      return;
    }
    if (!groups.isEmpty()) {
      throw new Invalid(
          "tls.groups",
          String.join(",", groups),
          "empty with the JDK engine (Java 17 sets groups only JVM-wide); use tls.engine: openssl");
    }
    boolean jvmTickets = !"false".equalsIgnoreCase(System.getProperty(JDK_TICKETS_PROPERTY));
    if (sessionTickets != jvmTickets) {
      throw new Invalid(
          "tls.sessionTickets",
          Boolean.toString(sessionTickets),
          "what the JVM does, with the JDK engine: Java 17 switches tickets only JVM-wide (-D"
              + JDK_TICKETS_PROPERTY
              + "=true|false at start, now "
              + jvmTickets
              + "); or use tls.engine: openssl");
    }
  }

  /** Refuses a TLS 1.2 suite {@code engine} does not implement. */
  public void checkSuites(TlsServerOptions.Engine engine) {
    if (engine == TlsServerOptions.Engine.OPENSSL) {
      for (String suite : cipherSuites) {
        if (!io.netty.handler.ssl.OpenSsl.isCipherSuiteAvailable(suite)) {
          throw new Invalid(
              "tls.cipherSuites",
              suite,
              "a suite the OpenSSL engine ("
                  + io.netty.handler.ssl.OpenSsl.versionString()
                  + ")"
                  + " implements");
        }
      }
      return;
    }
    Set<String> supported;
    try {
      supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default SSLContext", e);
    }
    for (String suite : cipherSuites) {
      if (!supported.contains(suite)) {
        throw new Invalid("tls.cipherSuites", suite, "a suite the JDK engine implements");
      }
    }
  }

  /** The suites to enable: TLS 1.3's (when on), then the TLS 1.2 ones (when on). */
  public List<String> enabledSuites() {
    List<String> out = new ArrayList<>();
    if (protocols.contains(TLS13)) {
      out.addAll(TLS13_SUITES);
    }
    if (protocols.contains(TLS12)) {
      out.addAll(cipherSuites);
    }
    return out;
  }

  /**
   * Whether a connection that negotiated {@code protocol} must not serve {@code host}: the host
   * requires TLS 1.3 and the protocol is older. {@code host} is lower case, without a trailing dot;
   * null (no SNI, no Host) requires nothing.
   */
  public boolean refuses(@Nullable String host, @Nullable String protocol) {
    if (host == null || tls13Hosts.isEmpty() || TLS13.equals(protocol)) {
      return false;
    }
    if (tls13Hosts.contains(host)) {
      return true;
    }
    int dot = host.indexOf('.');
    return dot > 0 && tls13Hosts.contains("*" + host.substring(dot));
  }
}
