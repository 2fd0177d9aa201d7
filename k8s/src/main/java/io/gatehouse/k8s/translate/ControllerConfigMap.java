package io.gatehouse.k8s.translate;

import io.gatehouse.model.Hsts;
import io.gatehouse.validate.EndpointPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ingress-nginx's controller ConfigMap, read: the defaults it gives every Ingress, what cannot be
 * honoured (and so refuses the Ingresses it covers), and what to tell the operator (Warning events
 * on the ConfigMap). Pure; {@link #read} takes the ConfigMap's {@code data}. Keys absent take
 * ingress-nginx's defaults ({@code configmap.md}): pointing Gatehouse at the ConfigMap means "as
 * ingress-nginx with these settings".
 *
 * @param maxBodyBytes {@code proxy-body-size}
 * @param connect {@code proxy-connect-timeout}
 * @param read {@code proxy-read-timeout} (response and body-idle timeouts)
 * @param sslRedirect {@code ssl-redirect}
 * @param hsts {@code hsts*}, for the hosts with a tls section
 * @param allow {@code whitelist-source-range}, for Ingresses without their own
 * @param deny {@code denylist-source-range}, for Ingresses without their own
 * @param block {@code block-cidrs}, for every Ingress
 * @param refusals keys that cannot be honoured: the Ingresses each covers are not served
 * @param findings what to report on the ConfigMap (reason, message)
 */
public record ControllerConfigMap(
    IngressRef ref,
    long maxBodyBytes,
    Duration connect,
    Duration read,
    boolean sslRedirect,
    Hsts hsts,
    List<String> allow,
    List<String> deny,
    List<String> block,
    List<Refusal> refusals,
    List<IngressProblem> findings) {

  /** ingress-nginx's {@code proxy-body-size} default, 1m. */
  public static final long DEFAULT_BODY = 1024L * 1024;

  /** ingress-nginx's {@code hsts-max-age} default (about six months). */
  public static final Duration DEFAULT_HSTS_MAX_AGE = Duration.ofSeconds(15_724_800);

  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

  /** The keys {@link #read} applies; any other listed key is reported when set. */
  static final Set<String> APPLIED =
      Set.of(
          "proxy-body-size",
          "proxy-connect-timeout",
          "proxy-read-timeout",
          "ssl-redirect",
          "hsts",
          "hsts-max-age",
          "hsts-include-subdomains",
          "hsts-preload",
          "whitelist-source-range",
          "denylist-source-range",
          "block-cidrs",
          "ssl-protocols",
          "ssl-ciphers");

  /** Which Ingresses a refused key keeps from being served. */
  public enum Covers {
    /** Every Ingress. */
    ALL,
    /** Those with a tls section. */
    TLS,
    /** Those without a tls section. */
    PLAIN_HTTP,
    /** Those without {@code enable-global-auth: "false"}. */
    GLOBAL_AUTH
  }

  /** A key that cannot be honoured; {@code message} says why. */
  public record Refusal(String key, Covers covers, String message) {}

  public ControllerConfigMap {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(hsts, "hsts");
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    block = List.copyOf(block);
    refusals = List.copyOf(refusals);
    findings = List.copyOf(findings);
  }

  /** The reason of a refused key's Warning event on each Ingress it keeps from being served. */
  public static final String REFUSED_REASON = "ControllerConfigRefused";

  /**
   * Reads {@code data} (empty when the ConfigMap is absent: ingress-nginx's defaults apply) of the
   * ConfigMap {@code ref}.
   */
  public static ControllerConfigMap read(IngressRef ref, Map<String, String> data) {
    return new Reader(ref, data).read();
  }

  private static final class Reader {
    private final IngressRef ref;
    private final Map<String, String> data;
    private final List<Refusal> refusals = new ArrayList<>();
    private final List<IngressProblem> findings = new ArrayList<>();

    Reader(IngressRef ref, Map<String, String> data) {
      this.ref = ref;
      this.data = new TreeMap<>(data);
    }

    ControllerConfigMap read() {
      for (Map.Entry<String, String> e : data.entrySet()) {
        check(e.getKey(), e.getValue() == null ? "" : e.getValue());
      }
      Hsts hsts = Hsts.OFF;
      if (bool("hsts", true)) {
        Duration maxAge = seconds("hsts-max-age", DEFAULT_HSTS_MAX_AGE);
        boolean subdomains = bool("hsts-include-subdomains", true);
        boolean preload = bool("hsts-preload", false);
        if (preload
            && (!subdomains || maxAge.compareTo(Hsts.PRELOAD_MIN_MAX_AGE) < 0)
            && data.containsKey("hsts-preload")) {
          // the route model refuses a preload the lists would refuse; without it the header
          // still protects, and no list would have taken the host anyway
          finding(
              "InvalidConfig",
              "hsts-preload: \"true\" needs hsts-include-subdomains and an hsts-max-age of at"
                  + " least 31536000 (as preload lists require); sent without preload");
          preload = false;
        }
        hsts = Hsts.of(maxAge, subdomains, preload);
      }
      return new ControllerConfigMap(
          ref,
          size("proxy-body-size", DEFAULT_BODY),
          seconds("proxy-connect-timeout", Duration.ofSeconds(5)),
          seconds("proxy-read-timeout", Duration.ofSeconds(60)),
          bool("ssl-redirect", true),
          hsts,
          cidrs("whitelist-source-range"),
          cidrs("denylist-source-range"),
          cidrs("block-cidrs"),
          refusals,
          findings);
    }

    private void check(String key, String value) {
      NginxConfigKey entry = NginxConfigMapCatalogue.find(key);
      if (entry == null) {
        if (key.endsWith("-snippet")) {
          refuse(key, Covers.ALL, NginxConfigMapCatalogue.SNIPPET);
        } else {
          finding(
              "UnknownConfigKey",
              key
                  + ": not a key Gatehouse knows of ingress-nginx's ConfigMap; ignored, as"
                  + " ingress-nginx ignores unknown keys");
        }
        return;
      }
      if (entry.inert(value)) {
        return;
      }
      switch (key) {
        case "ssl-protocols" -> protocols(value);
        case "ssl-ciphers" -> ciphers(value);
        default -> {
          if (entry.outcome() == NginxAnnotation.Outcome.REFUSED) {
            refuse(key, covers(key), entry.note());
          } else if (!APPLIED.contains(key)) {
            finding(
                "ConfigNotApplied",
                key + ": \"" + value + "\" is not applied as ingress-nginx would: " + entry.note());
          }
        }
      }
    }

    private static Covers covers(String key) {
      return switch (key) {
        case "global-auth-url" -> Covers.GLOBAL_AUTH;
        case "force-ssl-redirect" -> Covers.PLAIN_HTTP;
        default -> Covers.ALL;
      };
    }

    private void protocols(String value) {
      Set<String> asked = new LinkedHashSet<>(Arrays.asList(value.trim().split("\\s+")));
      if (!asked.containsAll(NginxCiphers.NODE_PROTOCOLS)) {
        refuse(
            "ssl-protocols",
            Covers.TLS,
            "\""
                + value
                + "\" leaves out TLSv1.2 or TLSv1.3, which the node's listeners always offer;"
                + " served, they would accept what the list refuses");
        return;
      }
      asked.removeAll(NginxCiphers.NODE_PROTOCOLS);
      if (asked.isEmpty()) {
        return; // the same two, in another order
      }
      finding(
          "ConfigNotApplied",
          "ssl-protocols: "
              + String.join(" ", asked)
              + " never offered: the node serves TLSv1.2 and TLSv1.3");
    }

    private void ciphers(String value) {
      Set<String> asked = new HashSet<>(Arrays.asList(value.trim().split("\\s*:\\s*")));
      List<String> missing =
          NginxCiphers.NODE_TLS12.stream().filter(c -> !asked.contains(c)).toList();
      if (!missing.isEmpty()) {
        refuse(
            "ssl-ciphers",
            Covers.TLS,
            "leaves out "
                + String.join(":", missing)
                + ", which the node's listeners offer (cipher names only, no OpenSSL aliases);"
                + " served, they would accept what the list refuses");
        return;
      }
      asked.removeAll(NginxCiphers.NODE_TLS12);
      if (!asked.isEmpty()) {
        finding(
            "ConfigNotApplied",
            "ssl-ciphers: "
                + String.join(":", new TreeSet<>(asked))
                + " never offered: the node serves ECDHE with AES-GCM or ChaCha20-Poly1305");
      }
    }

    private boolean bool(String key, boolean dflt) {
      String v = data.get(key);
      if (v == null) {
        return dflt;
      }
      // Go's strconv.ParseBool, which ingress-nginx's ConfigMap decoder uses
      switch (v.trim()) {
        case "1", "t", "T", "TRUE", "true", "True":
          return true;
        case "0", "f", "F", "FALSE", "false", "False":
          return false;
        default:
          invalid(key, v, "true or false", String.valueOf(dflt));
          return dflt;
      }
    }

    private Duration seconds(String key, Duration dflt) {
      String v = data.get(key);
      if (v == null) {
        return dflt;
      }
      if (SECONDS.matcher(v.trim()).matches()) {
        return Duration.ofSeconds(Long.parseLong(v.trim()));
      }
      invalid(key, v, "whole seconds", String.valueOf(dflt.toSeconds()));
      return dflt;
    }

    private long size(String key, long dflt) {
      String v = data.get(key);
      if (v == null) {
        return dflt;
      }
      Long n = NginxSize.bytes(v.trim());
      if (n == null) {
        invalid(key, v, "a size with an optional k, m or g suffix, 0 for none", "1m");
        return dflt;
      }
      return n;
    }

    /** A CIDR list; one invalid entry refuses every Ingress (dropping it could open a door). */
    private List<String> cidrs(String key) {
      String v = data.get(key);
      if (v == null || v.isBlank()) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String c : v.split(",")) {
        String cidr = c.trim();
        if (cidr.isEmpty()) {
          continue;
        }
        if (!EndpointPolicy.isCidr(cidr)) {
          refuse(
              key,
              Covers.ALL,
              "\"" + cidr + "\" (expected: an IP address or CIDR such as 10.0.0.0/8)");
          return List.of();
        }
        out.add(cidr);
      }
      return out;
    }

    private void invalid(String key, String value, String expected, String dflt) {
      finding(
          "InvalidConfig",
          key
              + ": \""
              + value
              + "\" (expected: "
              + expected
              + "); ingress-nginx's default "
              + dflt
              + " is used");
    }

    private void refuse(String key, Covers covers, String why) {
      refusals.add(new Refusal(key, covers, key + ": " + why));
      finding(REFUSED_REASON, key + ": " + why);
    }

    private void finding(String reason, String message) {
      findings.add(new IngressProblem(ref, reason, message));
    }
  }
}
