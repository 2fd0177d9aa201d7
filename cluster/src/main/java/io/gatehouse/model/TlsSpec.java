package io.gatehouse.model;

import java.util.List;
import java.util.Objects;

/**
 * How a route is served over HTTPS. It will attach to {@link RouteSpec} as one nullable field
 * ({@code tls}, null = plain HTTP only); until the route's callers are changed it stands alone, and
 * {@code CertificateValidator.validateTls} checks it against the certificate it names.
 *
 * @param hosts the route's hosts that are served over HTTPS; each must be covered by a DNS name of
 *     the certificate ({@code *.example.com} covers exactly one label)
 * @param certificateName a certificate of the route's own tenant: the key is {@code (route.tenant,
 *     certificateName)}, so a tenant can never serve another tenant's key
 * @param redirect the answer to plain HTTP on these hosts; {@link HttpsRedirect#DEFAULT} is 308
 * @param hsts the {@code Strict-Transport-Security} header; {@link Hsts#OFF} by default
 */
public record TlsSpec(
    List<String> hosts, String certificateName, HttpsRedirect redirect, Hsts hsts) {
  public TlsSpec {
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(certificateName, "certificateName");
    redirect = redirect == null ? HttpsRedirect.DEFAULT : redirect;
    hsts = hsts == null ? Hsts.OFF : hsts;
  }

  /** HTTPS on {@code hosts} with {@code certificateName}, a 308 redirect and no HSTS. */
  public static TlsSpec of(List<String> hosts, String certificateName) {
    return new TlsSpec(hosts, certificateName, HttpsRedirect.DEFAULT, Hsts.OFF);
  }

  public CertificateKey certificateKey(TenantId routeTenant) {
    return new CertificateKey(routeTenant, certificateName);
  }
}
