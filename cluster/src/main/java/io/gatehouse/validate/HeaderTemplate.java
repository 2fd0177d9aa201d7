package io.gatehouse.validate;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The value of a header policy's {@code set} or {@code add} entry, parsed: literal text with
 * variables from a small fixed set, written {@code ${name}}, and {@code $$} for a literal '$'.
 * Nothing else is interpreted, and every other '$' is refused rather than passed through, so a
 * value means one thing only (the same two rules as a rewrite's substitution, {@link
 * Substitution}). Names are case-sensitive.
 *
 * <p>The variables are the request's own facts, each already a valid header value: the client's
 * address, the request id, the matched route's tenant and name, and the verified client
 * certificate's subject and SHA-256. {@link #escape} turns text from elsewhere (an annotation) into
 * a value that stays literal. Immutable.
 */
public final class HeaderTemplate {
  /** The variables a header value may name, and nothing else. */
  public enum Variable {
    /** The address of the client's connection (IPv4 or IPv6 text, no port). */
    CLIENT_ADDRESS("client.address"),
    /** The request id: the client's sane X-Request-Id, else one Gatehouse generated. */
    REQUEST_ID("request.id"),
    /** The matched route's tenant. */
    ROUTE_TENANT("route.tenant"),
    /** The matched route's name. */
    ROUTE_NAME("route.name"),
    /**
     * The subject (RFC 2253) of the client certificate the route verified, bytes outside printable
     * ASCII and '%' percent-encoded; absent without one.
     */
    TLS_CLIENT_SUBJECT("tls.client.subject"),
    /** The SHA-256 of that certificate, lower-case hex; absent without one. */
    TLS_CLIENT_SHA256("tls.client.sha256");

    private final String text;

    Variable(String text) {
      this.text = text;
    }

    /** The name as written between {@code ${} and {@code }}. */
    public String text() {
      return text;
    }

    /** Whether the value exists only on a route that verifies client certificates. */
    public boolean needsClientCertificate() {
      return this == TLS_CLIENT_SUBJECT || this == TLS_CLIENT_SHA256;
    }

    /** The variable written {@code text}, or null. */
    static @Nullable Variable named(String text) {
      for (Variable v : values()) {
        if (v.text.equals(text)) {
          return v;
        }
      }
      return null;
    }
  }

  /** Every variable as written, for rules and docs: {@code ${client.address}, ...}. */
  public static final String NAMES = names();

  /** The literal text before each variable, and after the last one: one more than variables. */
  private final List<String> literals;

  private final List<Variable> variables;

  private HeaderTemplate(List<String> literals, List<Variable> variables) {
    this.literals = List.copyOf(literals);
    this.variables = List.copyOf(variables);
  }

  /**
   * Parses {@code value}.
   *
   * @throws IllegalArgumentException naming the first '$' that is neither {@code $$} nor a known
   *     {@code ${name}}
   */
  public static HeaderTemplate parse(String value) {
    List<String> literals = new ArrayList<>();
    List<Variable> variables = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c != '$') {
        lit.append(c);
        continue;
      }
      if (i + 1 >= n) {
        throw new IllegalArgumentException("'$' at the end (write $$ for a '$')");
      }
      char next = value.charAt(i + 1);
      if (next == '$') {
        lit.append('$');
        i++;
        continue;
      }
      if (next != '{') {
        throw new IllegalArgumentException("'$' followed by '" + next + "' (write $$ for a '$')");
      }
      int close = value.indexOf('}', i + 2);
      if (close < 0) {
        throw new IllegalArgumentException("'${' without '}'");
      }
      String name = value.substring(i + 2, close);
      Variable v = Variable.named(name);
      if (v == null) {
        throw new IllegalArgumentException("${" + shown(name) + "} is not a variable");
      }
      literals.add(lit.toString());
      lit.setLength(0);
      variables.add(v);
      i = close;
    }
    literals.add(lit.toString());
    return new HeaderTemplate(literals, variables);
  }

  /** {@code text} as a value that means exactly that text: each '$' doubled. */
  public static String escape(String text) {
    return text.indexOf('$') < 0 ? text : text.replace("$", "$$");
  }

  /** The literal parts, one more than {@link #variables()}; empty strings where none. */
  public List<String> literals() {
    return literals;
  }

  public List<Variable> variables() {
    return variables;
  }

  /** Whether the value names no variable: it is the text {@link #literalText()}. */
  public boolean isLiteral() {
    return variables.isEmpty();
  }

  /** The literal parts joined, {@code $$} read as '$': the whole value when it is literal. */
  public String literalText() {
    return literals.size() == 1 ? literals.get(0) : String.join("", literals);
  }

  private static String shown(String name) {
    return name.length() > 40 ? name.substring(0, 40) + "..." : name;
  }

  private static String names() {
    List<String> all = new ArrayList<>();
    for (Variable v : Variable.values()) {
      all.add("${" + v.text + "}");
    }
    return String.join(", ", all);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < variables.size(); i++) {
      b.append(escape(literals.get(i))).append("${").append(variables.get(i).text).append('}');
    }
    return b.append(escape(literals.get(variables.size()))).toString();
  }
}
