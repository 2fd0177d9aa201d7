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
 */
public record TlsSpec(
    List<String> hosts,
    String certificateName,
    HttpsRedirect redirect,
    Hsts hsts,
    ClientAuth clientAuth) {
  public TlsSpec {
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(certificateName, "certificateName");
    redirect = redirect == null ? HttpsRedirect.DEFAULT : redirect;
    hsts = hsts == null ? Hsts.OFF : hsts;
    clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
  }

  /** Without client certificates (the form every caller used before {@code clientAuth}). */
  public TlsSpec(List<String> hosts, String certificateName, HttpsRedirect redirect, Hsts hsts) {
    this(hosts, certificateName, redirect, hsts, ClientAuth.NONE);
  }

  public TlsSpec withClientAuth(ClientAuth newClientAuth) {
    return new TlsSpec(hosts, certificateName, redirect, hsts, newClientAuth);
  }

  /** HTTPS on {@code hosts} with {@code certificateName}, a 308 redirect and no HSTS. */
  public static TlsSpec of(List<String> hosts, String certificateName) {
    return new TlsSpec(hosts, certificateName, HttpsRedirect.DEFAULT, Hsts.OFF);
  }

  public CertificateKey certificateKey(TenantId routeTenant) {
    return new CertificateKey(routeTenant, certificateName);
  }
}
