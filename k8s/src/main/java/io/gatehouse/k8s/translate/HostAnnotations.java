package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.IngressAnnotations.NGINX;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The annotations of the Ingress's host names and of the redirects between them, as ingress-nginx
 * reads them (its {@code alias}, {@code rewrite}, {@code portinredirect} and {@code
 * disableproxyintercepterrors} parsers): {@code server-alias}, {@code force-ssl-redirect}, {@code
 * preserve-trailing-slash}, {@code use-port-in-redirects}, {@code disable-proxy-intercept-errors}.
 *
 * <p>Booleans are read as ingress-nginx reads them (Go's {@code strconv.ParseBool}: {@code 1, t, T,
 * TRUE, true, True} and their false forms); anything else is reported and the default used, as
 * ingress-nginx falls back to its ConfigMap's value.
 */
final class HostAnnotations {
  private HostAnnotations() {}

  /**
   * What these annotations ask for; {@link #NONE} when none is set.
   *
   * @param aliases {@code server-alias}: extra host names served like each rule's host, as written
   *     (trimmed, duplicates dropped, in ingress-nginx's sorted order); the translator validates
   *     each as a host
   * @param forceSslRedirect {@code force-ssl-redirect}: plain HTTP is redirected to HTTPS on every
   *     host of the Ingress, with or without a tls section
   * @param interceptErrorsOff {@code disable-proxy-intercept-errors: "true"} beside {@code
   *     custom-http-errors}: the backend's error answers pass through unchanged
   */
  record Result(List<String> aliases, boolean forceSslRedirect, boolean interceptErrorsOff) {
    static final Result NONE = new Result(List.of(), false, false);

    Result {
      aliases = List.copyOf(aliases);
    }
  }

  /** The catalogue entries of the annotations read here ({@link NginxCatalogue}). */
  static final List<NginxAnnotation> CATALOGUE =
      List.of(
          different(
              "server-alias",
              "Aliases",
              ROUTING,
              "each alias serves the Ingress's own paths on each of its rules' hosts (ingress-nginx"
                  + " gives it every path of the host's server, from every Ingress); an alias that"
                  + " is the host of any rule is not served, as ingress-nginx, and an alias is held"
                  + " to the same host ownership as any host",
              "www.example.com, shop.example.net"),
          different(
              "force-ssl-redirect",
              "Rewrite",
              SECURITY,
              "a host without a tls section is served over HTTPS with the default certificate and"
                  + " plain HTTP is redirected (308), as ingress-nginx; X-Forwarded-Proto decides"
                  + " instead of the connection's scheme only from proxy.trustedProxies"
                  + " (ingress-nginx: from any peer once use-forwarded-headers is on)",
              "true"),
          different(
              "preserve-trailing-slash",
              "Rewrite",
              OTHER,
              "Gatehouse's HTTPS redirect always keeps the trailing slash (as with \"true\");"
                  + " ingress-nginx's default drops it (/docs/ is redirected to https://host/docs)",
              "true"),
          different(
              "use-port-in-redirects",
              "UsePortInRedirects",
              OTHER,
              "Gatehouse's HTTPS redirect names the HTTPS port when it is not 443 (the listener's"
                  + " or the configured redirect port) whatever the value; its other redirects keep"
                  + " the port the client addressed",
              "true"),
          different(
              "disable-proxy-intercept-errors",
              "DisableProxyInterceptErrors",
              OTHER,
              "with custom-http-errors, \"true\" lets the backend's error answers through as"
                  + " ingress-nginx, and Gatehouse's own 502, 503 and 504 then get its plain pages"
                  + " instead of the custom ones",
              Map.of(
                  "custom-http-errors",
                  "404,503",
                  "default-backend",
                  "errors",
                  "disable-proxy-intercept-errors",
                  "true")));

  /**
   * Parses {@code all} (every annotation of the Ingress, full keys); problems go to {@code sink}.
   */
  static Result parse(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    List<String> aliases = aliases(all.get(NGINX + "server-alias"));
    boolean force = bool(all, "force-ssl-redirect", false, sink);
    bool(all, "preserve-trailing-slash", false, sink);
    bool(all, "use-port-in-redirects", false, sink);
    boolean interceptOff = bool(all, "disable-proxy-intercept-errors", false, sink);
    if (interceptOff && !all.containsKey(NGINX + "custom-http-errors")) {
      interceptOff = false; // ingress-nginx: it only matters beside custom-http-errors
    }
    if (aliases.isEmpty() && !force && !interceptOff) {
      return Result.NONE;
    }
    return new Result(aliases, force, interceptOff);
  }

  /** ingress-nginx's alias list: split on ',', trimmed, empty items and duplicates dropped. */
  private static List<String> aliases(@Nullable String raw) {
    if (raw == null) {
      return List.of();
    }
    TreeSet<String> out = new TreeSet<>();
    for (String item : raw.split(",", -1)) {
      String a = item.trim();
      if (!a.isEmpty()) {
        out.add(a);
      }
    }
    return new ArrayList<>(out);
  }

  /** Go's strconv.ParseBool, as ingress-nginx's GetBoolAnnotation; else the default, reported. */
  static boolean bool(
      Map<String, String> all, String name, boolean dflt, ResilienceAnnotations.Sink sink) {
    String raw = all.get(NGINX + name);
    if (raw == null) {
      return dflt;
    }
    switch (raw) {
      case "1", "t", "T", "TRUE", "true", "True":
        return true;
      case "0", "f", "F", "FALSE", "false", "False":
        return false;
      default:
        sink.problem(
            "InvalidAnnotation",
            NGINX
                + name
                + ": \""
                + raw
                + "\" (expected: true or false); the default ("
                + dflt
                + ") is used");
        return dflt;
    }
  }
}
