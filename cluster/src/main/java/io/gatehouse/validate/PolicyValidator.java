package io.gatehouse.validate;

import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.HeaderEditsSpec;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks a route's policies, one rule per kind ({@link #RULES}, which a test holds against the
 * permitted kinds of {@link PolicySpec}). Header names are normalised to lower case, as the proxy
 * compares them.
 *
 * <p>Header policies may not touch the headers Gatehouse itself owns: hop-by-hop and framing
 * headers (a proxy never forwards a framing header it did not produce), {@code Host} (the authority
 * a backend sees and the TLS name it is reached by; Gateway API rewrites it with a URL rewrite, not
 * with a header modifier, and so will a later policy), the forwarding headers, the request id and
 * the client-certificate headers a backend trusts because only Gatehouse writes them.
 */
public final class PolicyValidator {
  public static final int MAX_POLICIES = 16;

  /** At most this many entries in each of set, add and remove (Gateway API: 16). */
  public static final int MAX_EDITS = 16;

  /** At most this many header edits over all of a route's policies. */
  public static final int MAX_ROUTE_EDITS = 64;

  public static final int MAX_VALUE_LENGTH = 1024;

  public static final String NAME_RULE = "a header field name token of 1-64 characters";
  public static final String VALUE_RULE =
      "text of at most "
          + MAX_VALUE_LENGTH
          + " characters without control characters (CR, LF, NUL)";
  public static final String RESERVED_RULE =
      "a header Gatehouse does not own (not hop-by-hop, framing, Host, Forwarded, X-Forwarded-*,"
          + " X-Request-Id or X-Client-Cert-*)";
  public static final String ONCE_RULE = "a name given once in set, add and remove together";
  public static final String KINDS_RULE = "RequestHeaders, ResponseHeaders or Compression";

  // ---- Compression

  /** At most this many content types in one compression policy. */
  public static final int MAX_CONTENT_TYPES = 32;

  public static final String ALGORITHM_RULE =
      "gzip or br, each once (zstd is not served: this release has no zstd encoder)";
  public static final String CONTENT_TYPE_RULE =
      "a media type type/subtype or type/* in lower or upper case, without parameters";
  public static final String MIN_BYTES_RULE = "a size in bytes from 0 to 1073741824";
  public static final String LEVEL_RULE = "a level of a listed algorithm: gzip 1-9, br 0-11";

  /** The largest minimum size: beyond 1 GiB a minimum means "never", which no route needs. */
  public static final long MAX_MIN_BYTES = 1L << 30;

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]{1,64}/(?:\\*|[!#$%&'*+.^_`|~0-9a-z-]{1,127})");

  private static final Set<String> RESERVED =
      Set.of(
          "connection",
          "keep-alive",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "content-length",
          "expect",
          "host",
          "forwarded",
          "x-real-ip",
          "x-request-id");
  private static final List<String> RESERVED_PREFIXES =
      List.of("proxy-", "x-forwarded-", "x-client-cert-");

  private interface Rule {
    PolicySpec check(PolicySpec spec, String field, List<Violation> out);
  }

  /** One rule per kind; a kind missing here is refused, never passed through unchecked. */
  private static final Map<Class<?>, Rule> RULE_OF = new HashMap<>();

  static {
    RULE_OF.put(
        RequestHeaders.class,
        (spec, field, out) -> {
          HeaderEditsSpec e = edits(spec.edits(), field, out);
          return new RequestHeaders(e.set(), e.add(), e.remove());
        });
    RULE_OF.put(
        ResponseHeaders.class,
        (spec, field, out) -> {
          HeaderEditsSpec e = edits(spec.edits(), field, out);
          return new ResponseHeaders(e.set(), e.add(), e.remove());
        });
    RULE_OF.put(
        Compression.class, (spec, field, out) -> compression((Compression) spec, field, out));
  }

  private PolicyValidator() {}

  /** The kinds this validator has a rule for. */
  static Set<Class<?>> kinds() {
    return Set.copyOf(RULE_OF.keySet());
  }

  /** The policies normalised, with any violation added to {@code out}. */
  public static List<PolicySpec> validate(List<PolicySpec> raw, List<Violation> out) {
    if (raw.size() > MAX_POLICIES) {
      out.add(new Violation("policies", raw.size() + " policies", "at most " + MAX_POLICIES));
      return List.of();
    }
    List<PolicySpec> result = new ArrayList<>(raw.size());
    int total = 0;
    for (int i = 0; i < raw.size(); i++) {
      PolicySpec p = raw.get(i);
      String f = "policies[" + i + "]";
      Rule rule = p == null ? null : RULE_OF.get(p.getClass());
      if (rule == null) {
        out.add(new Violation(f + ".type", String.valueOf(p), KINDS_RULE));
        continue;
      }
      total += p.edits().size();
      result.add(rule.check(p, f, out));
    }
    if (total > MAX_ROUTE_EDITS) {
      out.add(
          new Violation(
              "policies", total + " header edits", "at most " + MAX_ROUTE_EDITS + " in all"));
    }
    return result;
  }

  /**
   * A compression policy normalised: algorithms, content types and level names lower-cased. Only
   * what Gatehouse can encode is accepted (fail closed): an unknown or unserved coding is refused,
   * never dropped from the list.
   */
  private static Compression compression(Compression c, String f, List<Violation> out) {
    List<String> algorithms = new ArrayList<>();
    if (c.algorithms().isEmpty() || c.algorithms().size() > 2) {
      out.add(new Violation(f + ".algorithms", c.algorithms().toString(), ALGORITHM_RULE));
    } else {
      for (int i = 0; i < c.algorithms().size(); i++) {
        String a = c.algorithms().get(i).toLowerCase(Locale.ROOT);
        if ((!a.equals(Compression.GZIP) && !a.equals(Compression.BROTLI))
            || algorithms.contains(a)) {
          out.add(
              new Violation(
                  f + ".algorithms[" + i + "]", printable(c.algorithms().get(i)), ALGORITHM_RULE));
        } else {
          algorithms.add(a);
        }
      }
    }
    List<String> types = new ArrayList<>();
    if (c.contentTypes().isEmpty() || c.contentTypes().size() > MAX_CONTENT_TYPES) {
      out.add(
          new Violation(
              f + ".contentTypes",
              c.contentTypes().size() + " types",
              "1 to " + MAX_CONTENT_TYPES + " types"));
    } else {
      for (int i = 0; i < c.contentTypes().size(); i++) {
        String raw = c.contentTypes().get(i);
        String t = raw.toLowerCase(Locale.ROOT);
        String literal = t.endsWith("/*") ? t.substring(0, t.length() - 2) : t;
        if (!MEDIA_TYPE.matcher(t).matches() || literal.indexOf('*') >= 0) {
          out.add(new Violation(f + ".contentTypes[" + i + "]", printable(raw), CONTENT_TYPE_RULE));
        } else if (!types.contains(t)) {
          types.add(t); // a repeat says nothing more: kept once
        }
      }
    }
    if (c.minBytes() < 0 || c.minBytes() > MAX_MIN_BYTES) {
      out.add(new Violation(f + ".minBytes", Long.toString(c.minBytes()), MIN_BYTES_RULE));
    }
    Map<String, Integer> levels = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> l : c.levels().entrySet()) {
      String a = l.getKey().toLowerCase(Locale.ROOT);
      int v = l.getValue();
      boolean ok =
          algorithms.contains(a)
              && !levels.containsKey(a)
              && (a.equals(Compression.GZIP) ? v >= 1 && v <= 9 : v >= 0 && v <= 11);
      if (ok) {
        levels.put(a, v);
      } else {
        out.add(
            new Violation(f + ".levels." + printable(l.getKey()), Integer.toString(v), LEVEL_RULE));
      }
    }
    return new Compression(algorithms, types, c.minBytes(), levels);
  }

  private static HeaderEditsSpec edits(HeaderEditsSpec e, String f, List<Violation> out) {
    Map<String, String> seen = new HashMap<>();
    Map<String, String> set = entries(e.set(), f + ".set", seen, out);
    Map<String, String> add = entries(e.add(), f + ".add", seen, out);
    List<String> remove = new ArrayList<>();
    if (e.remove().size() > MAX_EDITS) {
      out.add(new Violation(f + ".remove", e.remove().size() + " names", "at most " + MAX_EDITS));
    } else {
      for (int i = 0; i < e.remove().size(); i++) {
        String name = name(e.remove().get(i), f + ".remove[" + i + "]", seen, out);
        if (name != null) {
          remove.add(name);
        }
      }
    }
    return new HeaderEditsSpec(set, add, remove);
  }

  private static Map<String, String> entries(
      Map<String, String> raw, String f, Map<String, String> seen, List<Violation> out) {
    Map<String, String> result = new LinkedHashMap<>();
    if (raw.size() > MAX_EDITS) {
      out.add(new Violation(f, raw.size() + " headers", "at most " + MAX_EDITS));
      return result;
    }
    for (Map.Entry<String, String> h : raw.entrySet()) {
      String at = f + "." + h.getKey();
      String name = name(h.getKey(), at, seen, out);
      String value = h.getValue();
      if (!valueOk(value)) {
        out.add(new Violation(at, printable(value), VALUE_RULE));
      } else if (name != null) {
        result.put(name, value);
      }
    }
    return result;
  }

  /**
   * The name lower-cased, or null (with a violation at {@code f}). A set or add entry is reported
   * at {@code policies[i].set.NAME}: the name is the last key, whatever it holds (a name may hold
   * dots).
   */
  private static @Nullable String name(
      String raw, String f, Map<String, String> seen, List<Violation> out) {
    if (!RouteValidator.TOKEN.matcher(raw).matches()) {
      out.add(new Violation(f, printable(raw), NAME_RULE));
      return null;
    }
    String name = raw.toLowerCase(Locale.ROOT);
    if (reserved(name)) {
      out.add(new Violation(f, raw, RESERVED_RULE));
      return null;
    }
    if (seen.putIfAbsent(name, f) != null) {
      out.add(new Violation(f, raw, ONCE_RULE));
      return null;
    }
    return name;
  }

  /** Whether {@code lowerName} is a header Gatehouse owns, so no policy may edit it. */
  public static boolean reserved(String lowerName) {
    if (RESERVED.contains(lowerName)) {
      return true;
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (lowerName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean valueOk(String v) {
    if (v.length() > MAX_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Control characters shown escaped, so a problem never carries a line break into a log. */
  private static String printable(String v) {
    StringBuilder b = new StringBuilder(Math.min(v.length(), 80));
    for (int i = 0; i < v.length() && i < 80; i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return v.length() > 80 ? b + "..." : b.toString();
  }
}
