package io.gatehouse.model;

import java.util.List;
import java.util.Objects;

/**
 * How a route is served over HTTPS: {@link RouteSpec#tls()}, null = no HTTPS-specific behaviour.
 * {@code CertificateValidator.validateTls} checks it against the certificate it names.
 *
 * @param hosts the route's hosts that are served over HTTPS; each must be covered by a DNS name of
 *     the certificate ({@code *.example.com} covers exactly one label)
 * @param certificateName a certificate of the route's own tenant: the key is {@code (route.tenant,
 *     certificateName)}, so a tenant can never serve another tenant's key
 * @param redirect the answer to plain HTTP on these hosts; {@link HttpsRedirect#DEFAULT} is 308
 * @param hsts the {@code Strict-Transport-Security} header; {@link Hsts#OFF} by default
 * @param clientAuth client certificates on these hosts; {@link ClientAuth#NONE} by default
 * @param passthrough TLS connections for these hosts are not terminated: they are routed by their
 *     SNI name to the route's backend, bytes unchanged (ingress-nginx {@code ssl-passthrough},
 *     Gateway API {@code TLSRoute}); then there is no certificate ({@code certificateName} is
 *     empty), and no redirect, HSTS or client certificate applies
 */
public record TlsSpec(
    List<String> hosts,
    String certificateName,
    HttpsRedirect redirect,
    Hsts hsts,
    ClientAuth clientAuth,
    boolean passthrough) {
  public TlsSpec {
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(certificateName, "certificateName");
    redirect = redirect == null ? HttpsRedirect.DEFAULT : redirect;
    hsts = hsts == null ? Hsts.OFF : hsts;
    clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
  }

  /** A terminated route's TLS settings (the form every caller used before passthrough). */
  public TlsSpec(
      List<String> hosts,
      String certificateName,
      HttpsRedirect redirect,
      Hsts hsts,
      ClientAuth clientAuth) {
    this(hosts, certificateName, redirect, hsts, clientAuth, false);
  }

  /** TLS passthrough on {@code hosts} (empty: all of the route's hosts); no certificate. */
  public static TlsSpec passthrough(List<String> hosts) {
    return new TlsSpec(hosts, "", HttpsRedirect.DEFAULT, Hsts.OFF, ClientAuth.NONE, true);
  }

  /** Without client certificates (the form every caller used before {@code clientAuth}). */
  public TlsSpec(List<String> hosts, String certificateName, HttpsRedirect redirect, Hsts hsts) {
    this(hosts, certificateName, redirect, hsts, ClientAuth.NONE);
  }

  public TlsSpec withClientAuth(ClientAuth newClientAuth) {
    return new TlsSpec(hosts, certificateName, redirect, hsts, newClientAuth, passthrough);
  }

  /** HTTPS on {@code hosts} with {@code certificateName}, a 308 redirect and no HSTS. */
  public static TlsSpec of(List<String> hosts, String certificateName) {
    return new TlsSpec(hosts, certificateName, HttpsRedirect.DEFAULT, Hsts.OFF);
  }

  public CertificateKey certificateKey(TenantId routeTenant) {
    return new CertificateKey(routeTenant, certificateName);
  }
}
