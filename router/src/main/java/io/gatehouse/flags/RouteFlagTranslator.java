package io.gatehouse.flags;

import io.gatehouse.document.Forms;
import io.gatehouse.document.HostPort;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Translates a {@code --route HOST[/PATH]=HOST:PORT[,HOST:PORT...]} flag into a validated spec:
 * tenant {@code default}, source {@code cli}, a {@code Prefix} path ({@code /} when none is given),
 * an HTTP/1 backend with every endpoint at weight 1, and a name derived from host and path ({@code
 * a.example/api} gives {@code a.example-api}). Pure.
 */
public final class RouteFlagTranslator {
  public static final String SOURCE = "cli";
  public static final String TENANT = "default";
  public static final String FORM = "HOST[/PATH]=HOST:PORT[,HOST:PORT...]";

  private static final int MAX_NAME = 200;

  private RouteFlagTranslator() {}

  public static Validated<RouteSpec> translate(String flag) {
    int eq = flag.indexOf('=');
    if (eq <= 0 || eq == flag.length() - 1) {
      return failed("--route", flag, FORM);
    }
    String match = flag.substring(0, eq).trim();
    int slash = match.indexOf('/');
    String host = slash < 0 ? match : match.substring(0, slash);
    String path = slash < 0 ? "/" : match.substring(slash);
    if (host.isEmpty()) {
      return failed("--route", flag, FORM + " with a host before the path");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (String part : flag.substring(eq + 1).split(",", -1)) {
      Optional<Endpoint> ep = HostPort.parse(part, Endpoint.DEFAULT_WEIGHT);
      if (ep.isEmpty()) {
        return failed("--route " + flag, part, Forms.HOST_PORT);
      }
      endpoints.add(ep.get());
    }
    RouteSpec raw =
        RouteSpec.simple(
            RouteKey.of(TENANT, SOURCE, name(host, path)),
            List.of(host),
            List.of(PathMatch.prefix(path)),
            BackendSpec.http1(endpoints));
    Validated<RouteSpec> v = RouteValidator.validate(raw);
    if (v.isValid()) {
      return v;
    }
    List<Violation> out = new ArrayList<>();
    for (Violation violation : v.violations()) {
      out.add(
          new Violation(
              "--route " + flag + ": " + violation.field(), violation.value(), violation.rule()));
    }
    return Validated.failed(out);
  }

  /**
   * {@code host} and {@code path} as a route name: lower case, {@code *} as {@code wildcard}, every
   * other character outside {@code [a-z0-9.-]} as {@code -}. Long names are cut and end in a hash
   * of the whole, so the name stays unique and deterministic.
   */
  public static String name(String host, String path) {
    String raw = (host + (path.equals("/") ? "" : path)).toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '*') {
        b.append("wildcard");
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
    }
    String name = trim(b.toString());
    if (name.isEmpty() || name.length() > MAX_NAME) {
      String cut = trim(name.substring(0, Math.min(name.length(), MAX_NAME - 13)));
      name = (cut.isEmpty() ? "route" : cut) + "-" + hash(raw);
    }
    return name;
  }

  private static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && !Character.isLetterOrDigit(s.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetterOrDigit(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  }

  private static Validated<RouteSpec> failed(String field, String value, String rule) {
    return Validated.failed(List.of(new Violation(field, value, rule)));
  }
}
