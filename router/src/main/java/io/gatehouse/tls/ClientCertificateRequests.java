package io.gatehouse.tls;

import io.gatehouse.model.FrontendValidation;
import io.gatehouse.validate.CertificateValidator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks for a client certificate only on connections whose SNI name is a host with client
 * certificates, so that browsers on every other host never see a certificate prompt.
 *
 * <p>How: one listener serves every name, and its {@code ClientAuth} is fixed per SSL context, but
 * with SNI on Vert.x picks an SSL context per name. It makes a name its own context only when the
 * trust-manager mapper returns trust managers for that name ({@code
 * SslContextProvider.sslContext}), and tells the context factory the name. So: the mapper returns
 * trust managers only for names that {@code asks} (a live view of the current routes), and the
 * wrapped factory turns {@code ClientAuth.OPTIONAL} on for exactly those per-name contexts. Every
 * other name gets the shared context, which requests nothing. A name that stops asking falls back
 * to the shared context at once; Vert.x caches a per-name context for as long as the listener
 * lives, which is harmless because its trust manager is stateless.
 *
 * <p>The handshake accepts any chain: one name may serve routes with different CA bundles, and a
 * route's own bundle is applied to each request after routing ({@code ClientCertificateCheck}). The
 * client still proves it holds the key (CertificateVerify). No CA names are sent (an empty list
 * means "any" to clients), so a client offers whatever certificate it has.
 *
 * <p>Each name with its own context costs one cached context; names matched only by a wildcard host
 * are capped at {@link #MAX_WILDCARD_NAMES} so that random subdomains cannot grow the cache without
 * bound. Past the cap, a new such name is not asked for a certificate (its REQUIRED routes answer
 * 403), and a warning is logged once.
 */
public final class ClientCertificateRequests {
  private static final Logger LOG = LoggerFactory.getLogger(ClientCertificateRequests.class);

  public static final int MAX_WILDCARD_NAMES = 1024;

  private static final TrustManager[] ACCEPT_ANY = {new AcceptAnyClient()};

  private ClientCertificateRequests() {}

  /**
   * Trust options for the HTTPS listener.
   *
   * @param asks whether an SNI name (lower case) is a host with client certificates
   * @param byWildcardOnly whether it is one only through a wildcard host
   */
  public static TrustOptions trustOptions(
      Predicate<String> asks, Predicate<String> byWildcardOnly) {
    return new PerNameTrust(asks, byWildcardOnly);
  }

  /** {@code engine} with its context factory wrapped as described above. */
  public static SSLEngineOptions engineOptions(SSLEngineOptions engine) {
    return engineOptions(engine, UnaryOperator.identity());
  }

  /**
   * As above, and {@code tune} adjusts every server context the factory makes (the TLS policy's
   * groups and tickets).
   */
  public static SSLEngineOptions engineOptions(
      SSLEngineOptions engine, UnaryOperator<SslContext> tune) {
    if (engine instanceof OpenSSLEngineOptions o) {
      return new OpenSsl(o, tune, false);
    }
    return new Jdk((JdkSSLEngineOptions) engine, tune, false);
  }

  /**
   * A Gateway socket's client certificate validation (Gateway API {@code spec.tls.frontend}): trust
   * options with one context for every SNI name, whose handshake checks {@code validation}'s CAs,
   * and the socket's {@code ClientAuth}: {@code REQUIRED} (the handshake fails without a
   * certificate that chains to them), or {@code REQUEST} accepting any certificate or none ({@code
   * AllowInsecureFallback}). Per-name requests for routes' client certificates are off there: the
   * socket asks on every name already.
   *
   * @return null when the bundle does not parse (validation refused such a listener already)
   */
  public static @Nullable SocketTrust socketTrust(FrontendValidation validation) {
    List<X509Certificate> cas =
        CertificateValidator.validateCaBundle("caBundlePem", validation.caBundlePem()).value();
    if (cas == null) {
      return null;
    }
    if (validation.insecureFallback()) {
      return new SocketTrust(ACCEPT_ANY, io.vertx.core.http.ClientAuth.REQUEST);
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory pkix =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      pkix.init(store);
      return new SocketTrust(pkix.getTrustManagers(), io.vertx.core.http.ClientAuth.REQUIRED);
    } catch (GeneralSecurityException | java.io.IOException e) {
      return null;
    }
  }

  /**
   * A Gateway socket's trust: the same managers for every name, and the client auth its server
   * options take.
   */
  public static final class SocketTrust implements TrustOptions {
    private final TrustManager[] managers;
    private final io.vertx.core.http.ClientAuth clientAuth;

    SocketTrust(TrustManager[] managers, io.vertx.core.http.ClientAuth clientAuth) {
      this.managers = managers;
      this.clientAuth = clientAuth;
    }

    public io.vertx.core.http.ClientAuth clientAuth() {
      return clientAuth;
    }

    @Override
    public TrustOptions copy() {
      return this;
    }

    @Override
    public TrustManagerFactory getTrustManagerFactory(Vertx vertx) {
      return factoryOf(managers);
    }

    @Override
    public Function<String, TrustManager @Nullable []> trustManagerMapper(Vertx vertx) {
      return name -> null; // one context for every name, with this trust and client auth
    }
  }

  /** A factory that hands out {@code managers}. */
  private static TrustManagerFactory factoryOf(TrustManager[] managers) {
    return new TrustManagerFactory(
        new javax.net.ssl.TrustManagerFactorySpi() {
          @Override
          protected void engineInit(@Nullable KeyStore ks) {}

          @Override
          protected void engineInit(javax.net.ssl.@Nullable ManagerFactoryParameters spec) {}

          @Override
          protected TrustManager[] engineGetTrustManagers() {
            return managers.clone();
          }
        },
        null,
        "gatehouse-socket") {};
  }

  /**
   * {@code engine} (made by {@link #engineOptions}) for a socket with {@link SocketTrust}: its
   * contexts keep the server options' client auth whatever the SNI name.
   */
  public static SSLEngineOptions forSocketTrust(SSLEngineOptions engine) {
    if (engine instanceof OpenSsl o) {
      return new OpenSsl(o, o.tune, true);
    }
    if (engine instanceof Jdk j) {
      return new Jdk(j, j.tune, true);
    }
    return engine;
  }

  private static final class PerNameTrust implements TrustOptions {
    private final Predicate<String> asks;
    private final Predicate<String> byWildcardOnly;
    private final Set<String> wildcardNames = ConcurrentHashMap.newKeySet();
    private volatile boolean warned;

    PerNameTrust(Predicate<String> asks, Predicate<String> byWildcardOnly) {
      this.asks = asks;
      this.byWildcardOnly = byWildcardOnly;
    }

    @Override
    public TrustOptions copy() {
      return this;
    }

    /**
     * None for the shared context. Vert.x creates that context with the first SNI name that needs
     * no context of its own; without trust managers the factory below never asks there.
     */
    @Override
    public @Nullable TrustManagerFactory getTrustManagerFactory(Vertx vertx) {
      return null;
    }

    @Override
    public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) {
      return this::forName;
    }

    private TrustManager @Nullable [] forName(@Nullable String name) {
      if (name == null || !asks.test(name)) {
        return null;
      }
      if (byWildcardOnly.test(name) && !wildcardNames.contains(name)) {
        if (wildcardNames.size() >= MAX_WILDCARD_NAMES) {
          if (!warned) {
            warned = true;
            LOG.warn(
                "more than {} names matched only by wildcard hosts with client certificates;"
                    + " further ones are not asked for a certificate",
                MAX_WILDCARD_NAMES);
          }
          return null;
        }
        wildcardNames.add(name);
      }
      return ACCEPT_ANY;
    }
  }

  /** Accepts any client chain at the handshake; routes verify it against their own CAs. */
  private static final class AcceptAnyClient extends X509ExtendedTrustManager {
    private static void requireChain(X509Certificate @Nullable [] chain)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("empty client certificate chain");
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Asks for a certificate in the contexts Vert.x makes for one SNI name with trust managers. */
  private static final class PerNameFactory implements SslContextFactory {
    private final SslContextFactory delegate;
    private final boolean openSsl;
    private final UnaryOperator<SslContext> tune;
    private final boolean fixed;
    private ClientAuth clientAuth = ClientAuth.NONE;
    private @Nullable String serverName;
    private boolean trust;
    private boolean client;

    PerNameFactory(
        SslContextFactory delegate,
        boolean openSsl,
        UnaryOperator<SslContext> tune,
        boolean fixed) {
      this.delegate = delegate;
      this.openSsl = openSsl;
      this.tune = tune;
      this.fixed = fixed;
    }

    @Override
    public SslContextFactory useAlpn(boolean useAlpn) {
      delegate.useAlpn(useAlpn);
      return this;
    }

    @Override
    public SslContextFactory clientAuth(ClientAuth auth) {
      this.clientAuth = auth;
      return this;
    }

    @Override
    public SslContextFactory forClient(boolean forClient) {
      this.client = forClient;
      delegate.forClient(forClient);
      return this;
    }

    @Override
    public SslContextFactory keyMananagerFactory(@Nullable KeyManagerFactory kmf) {
      delegate.keyMananagerFactory(openSsl && kmf != null ? KeyMaterialCache.caching(kmf) : kmf);
      return this;
    }

    @Override
    public SslContextFactory trustManagerFactory(@Nullable TrustManagerFactory tmf) {
      this.trust = tmf != null;
      delegate.trustManagerFactory(tmf);
      return this;
    }

    @Override
    public SslContextFactory enabledCipherSuites(Set<String> suites) {
      delegate.enabledCipherSuites(suites);
      return this;
    }

    @Override
    public SslContextFactory applicationProtocols(List<String> protocols) {
      delegate.applicationProtocols(protocols);
      return this;
    }

    @Override
    public SslContextFactory serverName(@Nullable String name) {
      this.serverName = name;
      delegate.serverName(name);
      return this;
    }

    @Override
    public SslContext create() throws javax.net.ssl.SSLException {
      // a socket's own validation (fixed) has trust on its one context: its client auth stays
      boolean perName = !client && serverName != null && trust && !fixed;
      delegate.clientAuth(perName ? ClientAuth.OPTIONAL : clientAuth);
      SslContext ctx = delegate.create();
      return client ? ctx : tune.apply(ctx);
    }
  }

  private static final class Jdk extends JdkSSLEngineOptions {
    private final UnaryOperator<SslContext> tune;
    private final boolean fixed;

    Jdk(JdkSSLEngineOptions o, UnaryOperator<SslContext> tune, boolean fixed) {
      super(o);
      this.tune = tune;
      this.fixed = fixed;
    }

    @Override
    public JdkSSLEngineOptions copy() {
      return new Jdk(this, tune, fixed);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new PerNameFactory(super.sslContextFactory(), false, tune, fixed);
    }
  }

  private static final class OpenSsl extends OpenSSLEngineOptions {
    private final UnaryOperator<SslContext> tune;
    private final boolean fixed;

    OpenSsl(OpenSSLEngineOptions o, UnaryOperator<SslContext> tune, boolean fixed) {
      super(o);
      this.tune = tune;
      this.fixed = fixed;
    }

    @Override
    public OpenSSLEngineOptions copy() {
      return new OpenSsl(this, tune, fixed);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new PerNameFactory(super.sslContextFactory(), true, tune, fixed);
    }
  }
}
