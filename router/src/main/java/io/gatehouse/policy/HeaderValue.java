package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.validate.HeaderTemplate;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A header policy's value that names a request's variables, compiled once: flat arrays of literal
 * parts and variable codes. The route's tenant and name are constants of the route, so they are
 * folded into the literal text here; what is left is read from the request when the edit runs.
 *
 * <p>A variable without a value (no verified client certificate) makes the whole value absent:
 * {@link #expand} answers null, and the edit then removes the header ({@code set}) or adds nothing
 * ({@code add}), as nginx passes no header whose value is empty, so a client can never supply the
 * header itself. Every variable's text is already a valid header value (an IP address, the request
 * id's alphabet, route names, the certificate's subject percent-encoded to printable ASCII, hex),
 * so no expansion can carry CR, LF or another control character.
 */
final class HeaderValue {
  private static final int CLIENT_ADDRESS = 0;
  private static final int REQUEST_ID = 1;
  private static final int TLS_CLIENT_SUBJECT = 2;
  private static final int TLS_CLIENT_SHA256 = 3;
  private static final String[] NAMES = {
    "client.address", "request.id", "tls.client.subject", "tls.client.sha256"
  };

  /** A value that is never present: what a value that does not parse compiles to. */
  static final HeaderValue ABSENT = new HeaderValue(new String[] {"", ""}, new int[] {-1});

  /** The literal text before each variable and after the last one. */
  private final String[] literals;

  private final int[] variables;
  private final int literalLength;

  private HeaderValue(String[] literals, int[] variables) {
    this.literals = literals;
    this.variables = variables;
    int n = 0;
    for (String l : literals) {
      n += l.length();
    }
    this.literalLength = n;
  }

  /**
   * The value {@code text} of a policy of {@code route}: a literal one ({@link #literal()} not
   * null) when it names no request variable. A value the validator would refuse (never one of a
   * validated route) compiles to {@link #ABSENT}: it is never passed through as text.
   */
  static HeaderValue compile(String text, RouteKey route) {
    HeaderTemplate t;
    try {
      t = HeaderTemplate.parse(text);
    } catch (IllegalArgumentException e) {
      return ABSENT;
    }
    List<String> literals = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    StringBuilder lit = new StringBuilder(t.literals().get(0));
    for (int i = 0; i < t.variables().size(); i++) {
      HeaderTemplate.Variable v = t.variables().get(i);
      switch (v) {
        case ROUTE_TENANT -> lit.append(route.tenant().value());
        case ROUTE_NAME -> lit.append(route.name());
        default -> {
          literals.add(lit.toString());
          lit.setLength(0);
          codes.add(code(v));
        }
      }
      lit.append(t.literals().get(i + 1));
    }
    literals.add(lit.toString());
    int[] vars = new int[codes.size()];
    for (int i = 0; i < vars.length; i++) {
      vars[i] = codes.get(i);
    }
    return new HeaderValue(literals.toArray(new String[0]), vars);
  }

  private static int code(HeaderTemplate.Variable v) {
    return switch (v) {
      case CLIENT_ADDRESS -> CLIENT_ADDRESS;
      case REQUEST_ID -> REQUEST_ID;
      case TLS_CLIENT_SUBJECT -> TLS_CLIENT_SUBJECT;
      case TLS_CLIENT_SHA256 -> TLS_CLIENT_SHA256;
      case ROUTE_TENANT, ROUTE_NAME -> throw new IllegalArgumentException(v + " is a constant");
    };
  }

  /** The whole value when it reads no request variable, else null. */
  @Nullable String literal() {
    return variables.length == 0 ? literals[0] : null;
  }

  /**
   * The value for {@code r}, or null when one of its variables has none. A value that is one
   * variable alone is that variable's text, with no copy.
   */
  @Nullable String expand(RequestContext r) {
    int n = variables.length;
    if (n == 0) {
      return literals[0];
    }
    if (n == 1 && literalLength == 0) {
      return value(r, variables[0]);
    }
    int length = literalLength;
    for (int i = 0; i < n; i++) {
      String v = value(r, variables[i]);
      if (v == null) {
        return null;
      }
      length += v.length();
    }
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < n; i++) {
      b.append(literals[i]).append(value(r, variables[i]));
    }
    return b.append(literals[n]).toString();
  }

  /** A variable's text for {@code r}; null (or empty, read as none) when it has none. */
  private static @Nullable String value(RequestContext r, int code) {
    String v;
    switch (code) {
      case CLIENT_ADDRESS -> v = r.clientAddress();
      case REQUEST_ID -> v = r.requestId();
      case TLS_CLIENT_SUBJECT, TLS_CLIENT_SHA256 -> {
        ClientCertificateCheck.Result c = r.verifiedClientCertificate();
        v = c == null ? null : code == TLS_CLIENT_SUBJECT ? c.subject() : c.sha256();
      }
      default -> v = null;
    }
    return v == null || v.isEmpty() ? null : v;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < variables.length; i++) {
      int v = variables[i];
      b.append(literals[i]).append("${").append(v < 0 ? "absent" : NAMES[v]).append('}');
    }
    return b.append(literals[variables.length]).toString();
  }
}
