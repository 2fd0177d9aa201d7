package io.gatehouse.policy;

import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.validate.Htpasswd;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Admission: HTTP Basic authentication (RFC 7617) against the route's users. The password is
 * checked against the user's bcrypt or Argon2 hash by the node's {@link PasswordChecks}, off the
 * event loop (the request is suspended meanwhile) unless a recent success is remembered. Without
 * valid credentials: 401 with {@code WWW-Authenticate: Basic realm="...", charset="UTF-8"}; when
 * the check queue is full: 503, never through. A name that is not a user costs the same check
 * (against another user's hash, its verdict ignored), so the answer's timing does not tell which
 * names exist. The client's {@code Authorization} is removed upstream unless the policy forwards
 * it, and then the upstream gets exactly the one value that was verified. The reason of a refusal
 * goes to a debug log with the request id; neither the name nor the password is logged.
 */
public final class BasicAuthFilter implements AdmissionFilter {
  private static final System.Logger LOG = System.getLogger(BasicAuthFilter.class.getName());

  static final String AUTHORIZATION = "authorization";
  static final String WWW_AUTHENTICATE = "www-authenticate";

  private final Map<String, String> hashes;
  private final @Nullable String decoyHash;
  private final String challenge;
  private final boolean forwardAuthorization;
  private final PasswordChecks checks;

  /**
   * @throws IllegalArgumentException when a user's hash or name is not accepted, a name repeats, or
   *     the realm cannot be a quoted string: the route is refused, never served open
   */
  BasicAuthFilter(BasicAuth spec, PasswordChecks checks) {
    this.checks = checks;
    this.forwardAuthorization = spec.forwardAuthorization();
    Map<String, String> users = new HashMap<>();
    for (BasicAuth.User u : spec.users()) {
      String nameProblem = Htpasswd.nameProblem(u.name());
      if (nameProblem != null) {
        throw new IllegalArgumentException("basic auth: " + nameProblem);
      }
      String problem = Htpasswd.problem(u.hash());
      if (problem != null) {
        throw new IllegalArgumentException("basic auth user \"" + u.name() + "\": " + problem);
      }
      if (users.put(u.name(), u.hash()) != null) {
        throw new IllegalArgumentException("basic auth user \"" + u.name() + "\" is listed twice");
      }
    }
    this.hashes = Map.copyOf(users);
    this.decoyHash = spec.users().isEmpty() ? null : spec.users().get(0).hash();
    this.challenge = challenge(spec.realm());
  }

  /** The challenge's value: the realm as a quoted string, and the charset RFC 7617 defines. */
  static String challenge(String realm) {
    String text = realm.isBlank() ? BasicAuth.DEFAULT_REALM : realm;
    StringBuilder b = new StringBuilder(text.length() + 32).append("Basic realm=\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c > 0xff) {
        throw new IllegalArgumentException(
            "basic auth realm holds a character a header cannot carry at index " + i);
      }
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append("\", charset=\"UTF-8\"").toString();
  }

  @Override
  public int admit(RequestContext r) {
    String header = r.header(AUTHORIZATION);
    if (header == null) {
      return refuse(r, "no credentials");
    }
    byte[] decoded = decode(header);
    if (decoded == null) {
      return refuse(r, "malformed Basic credentials");
    }
    int colon = indexOf(decoded, (byte) ':');
    String user = colon < 0 ? null : utf8(decoded, colon);
    if (user == null) {
      return refuse(r, "malformed Basic credentials");
    }
    byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
    String hash = hashes.get(user);
    boolean known = hash != null;
    if (hash == null) {
      if (decoyHash == null) {
        return refuse(r, "no users");
      }
      hash = decoyHash;
    }
    Pending pending = new Pending(r, known, header);
    PasswordChecks.Verdict now = checks.check(user, password, hash, pending);
    if (now != null) {
      return verdict(r, now, known, header);
    }
    r.onEnd(pending);
    return SUSPEND;
  }

  private int verdict(RequestContext r, PasswordChecks.Verdict v, boolean known, String header) {
    if (v == PasswordChecks.Verdict.BUSY) {
      log(r, "password checks are busy");
      r.answerHeader("retry-after", "1");
      return 503;
    }
    if (v != PasswordChecks.Verdict.MATCH || !known) {
      return refuse(r, known ? "wrong password" : "unknown user");
    }
    if (forwardAuthorization) {
      r.upstreamHeader(AUTHORIZATION, header); // the verified value, and only it
    } else {
      r.dropUpstreamHeader(AUTHORIZATION);
    }
    return PROCEED;
  }

  private int refuse(RequestContext r, String reason) {
    log(r, reason);
    r.answerHeader(WWW_AUTHENTICATE, challenge);
    return 401;
  }

  private static void log(RequestContext r, String reason) {
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(
          System.Logger.Level.DEBUG, "basic auth refused request " + r.requestId() + ": " + reason);
    }
  }

  /** The credentials' bytes, or null when the header is not {@code Basic <base64>}. */
  static byte @Nullable [] decode(String header) {
    // RFC 9110 §11.1: the scheme is case-insensitive, then one or more spaces, then token68.
    if (header.length() < 7
        || !header.regionMatches(true, 0, "Basic", 0, 5)
        || header.charAt(5) != ' ') {
      return null;
    }
    int start = 6;
    while (start < header.length() && header.charAt(start) == ' ') {
      start++;
    }
    try {
      return Base64.getDecoder().decode(header.substring(start));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /** The user id's first {@code length} bytes as strict UTF-8, or null when they are not. */
  private static @Nullable String utf8(byte[] b, int length) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** A check in the pool for one request; told on the request's event loop. */
  private final class Pending implements PasswordChecks.Waiter, Runnable {
    private final RequestContext request;
    private final boolean known;
    private final String header;
    // Set on the event loop when the request ends; read by the pool before it hashes.
    private volatile boolean ended;

    Pending(RequestContext request, boolean known, String header) {
      this.request = request;
      this.known = known;
      this.header = header;
    }

    @Override
    public boolean abandoned() {
      return ended;
    }

    @Override
    public void run() {
      ended = true;
    }

    @Override
    public void done(PasswordChecks.Verdict v) {
      if (!ended) {
        request.resume(verdict(request, v, known, header));
      }
    }
  }
}
