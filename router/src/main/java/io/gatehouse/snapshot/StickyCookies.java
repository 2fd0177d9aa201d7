package io.gatehouse.snapshot;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.SessionPersistence;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A split's sticky cookie ({@link SessionPersistence}) compiled: one opaque value per target and
 * the {@code Set-Cookie} field that hands it out, made once per compile so a request pays a cookie
 * scan and a few string compares, and allocates only the scanned value.
 *
 * <p>A value is the first 128 bits of HMAC-SHA256 under the node's sticky key over the route's key
 * and the target's endpoints key, base64url without padding: it names neither the backend nor an
 * address, differs per route (two routes with the same cookie name do not read each other's
 * values), and is only ever compared with the values of this route's own targets, so a forged or
 * replayed value can select nothing outside the route's split. The key never leaves the node: it is
 * in no answer, log line or {@link #toString()}. Nodes that share the key (the node setting {@code
 * proxy.stickyKeyFile}) honour each other's cookies; others replace them.
 */
public final class StickyCookies {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SessionPersistence spec;
  private final String name;
  private final String[] values;
  private final String[] plain;
  private final String[] secure;

  private StickyCookies(SessionPersistence spec, String[] values) {
    this.spec = spec;
    this.name = spec.sessionName();
    this.values = values;
    this.plain = new String[values.length];
    this.secure = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      boolean always = Boolean.TRUE.equals(spec.secure());
      boolean never = Boolean.FALSE.equals(spec.secure());
      plain[i] = setCookie(spec, values[i], always);
      secure[i] = never ? plain[i] : setCookie(spec, values[i], true);
    }
  }

  /**
   * The cookies of {@code spec} (validated) for a split over {@code targets} of {@code route},
   * under {@code key}.
   */
  public static StickyCookies compile(
      SessionPersistence spec, RouteKey route, List<Target> targets, byte[] key) {
    Objects.requireNonNull(spec, "spec");
    String[] values = new String[targets.size()];
    Mac mac = mac(key);
    for (int i = 0; i < values.length; i++) {
      values[i] = token(mac, route + "\n" + targets.get(i).key());
    }
    return new StickyCookies(spec, values);
  }

  private static String setCookie(SessionPersistence spec, String value, boolean secure) {
    String path = spec.path();
    return setCookie(
        spec.sessionName(),
        value,
        path == null ? "/" : path,
        spec.absoluteTimeout(),
        true,
        secure,
        spec.sameSite());
  }

  /** An HMAC-SHA256 under {@code key}, for {@link #token}. */
  public static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  /**
   * A cookie value that names {@code input} opaquely: the first 128 bits of {@code mac} over it,
   * base64url without padding (split cookies here, endpoint affinity cookies in {@code upstream}).
   */
  public static String token(Mac mac, String input) {
    return BASE64URL.encodeToString(
        Arrays.copyOf(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)), 16));
  }

  /** A {@code Set-Cookie} value with the attributes a sticky or affinity cookie may carry. */
  public static String setCookie(
      String name,
      String value,
      String path,
      @Nullable Duration maxAge,
      boolean httpOnly,
      boolean secure,
      @Nullable String sameSite) {
    StringBuilder b = new StringBuilder(96);
    b.append(name).append('=').append(value);
    b.append("; Path=").append(path);
    if (maxAge != null) {
      b.append("; Max-Age=").append(maxAge.getSeconds());
    }
    if (httpOnly) {
      b.append("; HttpOnly");
    }
    if (secure) {
      b.append("; Secure");
    }
    if (sameSite != null) {
      b.append("; SameSite=").append(sameSite);
    }
    return b.toString();
  }

  /** The policy compiled here. */
  public SessionPersistence spec() {
    return spec;
  }

  /** The cookie's name. */
  public String name() {
    return name;
  }

  /**
   * The position of the target whose value the request's {@code Cookie} fields carry under {@link
   * #name()} (the first such cookie, as the canary cookie is read), or -1 when none does: no
   * cookie, a value of another route or key, or a forged one.
   */
  public int find(List<String> cookieFields) {
    if (cookieFields.isEmpty()) {
      return -1;
    }
    String v = CanaryMatcher.cookieValue(cookieFields, name);
    if (v == null) {
      return -1;
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i].equals(v)) {
        return i;
      }
    }
    return -1;
  }

  /** The cookie value that pins target {@code i}. */
  public String value(int i) {
    return values[i];
  }

  /** The {@code Set-Cookie} value that pins target {@code i}, for a request over TLS or not. */
  public String setCookie(int i, boolean tls) {
    return tls ? secure[i] : plain[i];
  }

  /** Whether {@code other} sets the same cookies (same policy, same values). */
  boolean same(@Nullable StickyCookies other) {
    return other != null && spec.equals(other.spec) && Arrays.equals(values, other.values);
  }

  @Override
  public String toString() {
    // The values are left out: they are handed to clients, but a log line needs none of them.
    return "StickyCookies[" + name + ", " + values.length + " targets]";
  }
}
