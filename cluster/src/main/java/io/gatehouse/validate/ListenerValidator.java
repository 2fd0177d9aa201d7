package io.gatehouse.validate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks a listener (a socket a Gateway asks for) and a route's reference to one. Pure. Only the
 * Kubernetes source writes listeners: from the routes file or REST a tenant would open a socket.
 * Whether this node may bind the address and port (its pool and allowed ports) is {@link
 * #refusal}'s question, asked by the node that binds it.
 */
public final class ListenerValidator {
  // A Gateway's listener is named gateway/<namespace>/<name>/<port>: a route name with slashes.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9._/]{0,510}[a-z0-9])?");
  static final String NAME_RULE =
      "a-z, 0-9, '-', '.', '_' and '/', 1-512 characters, alphanumeric ends";

  private ListenerValidator() {}

  public static Validated<ListenerSpec> validate(ListenerSpec spec) {
    List<Violation> out = new ArrayList<>();
    checkKey("", spec.key(), out);
    String address = address(spec.address(), out);
    if (spec.port() < 1 || spec.port() > 65535) {
      out.add(new Violation("port", Integer.toString(spec.port()), "a port 1-65535"));
    }
    CertificateKey cert = spec.defaultCertificate();
    if (cert != null && spec.protocol() != ListenerProtocol.HTTPS) {
      out.add(
          new Violation(
              "defaultCertificate", cert.toString(), "none on a " + spec.protocol() + " listener"));
    } else if (cert != null
        && (!cert.kubernetesOwned() || !cert.tenant().equals(spec.key().tenant()))) {
      // Only the Kubernetes source writes listeners: it names only the Secrets it mirrors, and
      // (like a route) only a certificate of its own tenant.
      out.add(
          new Violation(
              "defaultCertificate",
              cert.toString(),
              "a certificate of tenant "
                  + spec.key().tenant()
                  + " named "
                  + CertificateKey.KUBERNETES_PREFIX
                  + "..."));
    }
    FrontendValidation client = spec.clientValidation();
    if (client != null && spec.protocol() != ListenerProtocol.HTTPS) {
      out.add(
          new Violation(
              "clientValidation", client.toString(), "none on a " + spec.protocol() + " listener"));
    } else if (client != null) {
      out.addAll(
          CertificateValidator.validateCaBundle(
                  "clientValidation.caBundlePem", client.caBundlePem())
              .violations());
    }
    List<String> hostnames = new ArrayList<>();
    if (!spec.hostnames().isEmpty() && spec.protocol() != ListenerProtocol.HTTPS) {
      out.add(
          new Violation(
              "hostnames",
              spec.hostnames().toString(),
              "none on a " + spec.protocol() + " listener"));
    }
    for (int i = 0; i < spec.hostnames().size(); i++) {
      String h = spec.hostnames().get(i);
      if (h.isEmpty()) {
        hostnames.add(h); // the listener without a hostname: every other name
        continue;
      }
      Validated<String> n = Hostnames.normalizeGatewayHostname("hostnames[" + i + "]", h);
      if (n.value() == null) {
        out.addAll(n.violations());
      } else {
        hostnames.add(n.value());
      }
    }
    if (address == null || !out.isEmpty()) {
      return Validated.failed(out);
    }
    return Validated.ok(
        new ListenerSpec(
            spec.key(), address, spec.port(), spec.protocol(), cert, client, hostnames));
  }

  /**
   * A listener key's tenant, source and name, fields prefixed by {@code prefix} ({@code
   * "listener."} in a route): the source must be the Kubernetes translator's.
   */
  static void checkKey(String prefix, ListenerKey key, List<Violation> out) {
    if (!RouteValidator.TENANT.matcher(key.tenant().value()).matches()) {
      out.add(
          new Violation(
              prefix + "tenant",
              key.tenant().value(),
              "a DNS label: a-z, 0-9 and '-', 1-63 characters"));
    }
    if (!key.source().equals(RouteValidator.KUBERNETES_SOURCE)) {
      out.add(
          new Violation(
              prefix + "source",
              key.source(),
              RouteValidator.KUBERNETES_SOURCE
                  + " (listeners are written by the Kubernetes translator only)"));
    }
    if (!NAME.matcher(key.name()).matches()) {
      out.add(new Violation(prefix + "name", key.name(), NAME_RULE));
    }
  }

  /** An IPv4 or IPv6 literal, lower-cased; no name, brackets or zone. */
  private static @Nullable String address(String raw, List<Violation> out) {
    if (raw.startsWith("[") || Cidrs.literal(raw) == null) {
      out.add(
          new Violation("address", raw, "an IPv4 or IPv6 address such as 192.0.2.10 (no name)"));
      return null;
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  /**
   * Why this node must not bind {@code spec} (a validated listener), or null when it may: its
   * address must lie in {@code pool} and its port be one of {@code ports}. An empty pool allows no
   * listener at all (phase 1: every Gateway on the node's own listeners).
   */
  public static @Nullable String refusal(ListenerSpec spec, Cidrs pool, Collection<Integer> ports) {
    byte[] bytes = Cidrs.literal(spec.address());
    if (bytes == null || isUnspecified(bytes)) {
      // 0.0.0.0 or :: would take the port on every address, the node's own included
      return "address " + spec.address() + " is not one address";
    }
    if (!pool.contains(spec.address())) {
      return "address "
          + spec.address()
          + " is outside kubernetes.gatewayAddresses"
          + (pool.isEmpty() ? " (empty)" : " " + pool.source());
    }
    if (!ports.contains(spec.port())) {
      return "port " + spec.port() + " is not in kubernetes.gatewayPorts " + ports;
    }
    return null;
  }

  private static boolean isUnspecified(byte[] address) {
    for (byte b : address) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
