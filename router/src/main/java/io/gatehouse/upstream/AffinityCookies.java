package io.gatehouse.upstream;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.snapshot.CompiledRoute;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The values and {@code Set-Cookie} fields of affinity cookies ({@link CookieAffinity}), the
 * pattern of the sticky split cookies ({@code snapshot.StickyCookies}) with the same node key: a
 * value is the first 128 bits of HMAC-SHA256 under the key over the endpoint's host:port, base64url
 * without padding. It names no address, is the same on every event loop and on every node that
 * shares the key ({@code proxy.stickyKeyFile}), stays valid across endpoint changes and config
 * changes while the endpoint stays, and is only ever compared with the values of the balancer's own
 * endpoints, so a forged value selects nothing. The key is in no answer, log line or {@link
 * #toString()}.
 */
public final class AffinityCookies {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  /** A domain prefix: a value never equals a split cookie's over the same bytes. */
  private static final String DOMAIN = "gatehouse-affinity\n";

  private final byte[] key;

  private AffinityCookies(byte[] key) {
    this.key = key.clone();
  }

  /** Cookies under {@code key} (the node's sticky key, at least 16 bytes). */
  public static AffinityCookies withKey(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("affinity key: " + key.length + " bytes (expected: 16+)");
    }
    return new AffinityCookies(key);
  }

  /** The opaque value that pins {@code endpoint}. */
  public String value(Endpoint endpoint) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] in =
          (DOMAIN + endpoint.host() + ":" + endpoint.port()).getBytes(StandardCharsets.UTF_8);
      return BASE64URL.encodeToString(Arrays.copyOf(mac.doFinal(in), 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  /**
   * The {@code Set-Cookie} value for {@code value} under {@code spec}, for a request over TLS or
   * not, on a route whose cookie path (when the spec names none) is {@code routePath}.
   */
  public static String setCookie(CookieAffinity spec, String value, boolean tls, String routePath) {
    StringBuilder b = new StringBuilder(96);
    b.append(spec.name()).append('=').append(value);
    b.append("; Path=").append(spec.path() != null ? spec.path() : routePath);
    Duration age = spec.maxAge();
    if (age != null) {
      b.append("; Max-Age=").append(age.getSeconds());
    }
    if (spec.httpOnly()) {
      b.append("; HttpOnly");
    }
    if (spec.secure() != null ? spec.secure() : tls) {
      b.append("; Secure");
    }
    if (spec.sameSite() != null) {
      b.append("; SameSite=").append(spec.sameSite());
    }
    return b.toString();
  }

  /**
   * The cookie path of {@code route} when the affinity names none: its one prefix or exact path, as
   * ingress-nginx uses the location's path; {@code /} for a route with several paths, a regular
   * expression, or none (the default backend).
   */
  public static String routePath(@Nullable CompiledRoute route) {
    if (route == null) {
      return "/";
    }
    List<PathMatch> paths = route.spec().paths();
    PathMatchType type = paths.size() == 1 ? paths.get(0).type() : null;
    if (type == PathMatchType.PREFIX || type == PathMatchType.EXACT) {
      return paths.get(0).value();
    }
    return "/";
  }

  @Override
  public String toString() {
    return "AffinityCookies[key hidden]";
  }
}
