package io.gatehouse.edge;

import io.gatehouse.validate.Cidrs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The real client of a request: the connection's peer (the PROXY protocol's source when the
 * listener takes one), or, only when that peer is a trusted proxy, the rightmost address of {@code
 * X-Forwarded-For} that is not a trusted proxy itself, as nginx's {@code real_ip_recursive on}:
 * every address to its right was added by a proxy we trust, so it is the first one a trusted hop
 * vouches for and the client could not forge. Without {@code X-Forwarded-For}, {@code Forwarded}'s
 * {@code for=} parameters (RFC 7239) are read the same way. An entry that is no IP literal ({@code
 * unknown}, an obfuscated node, a name) ends the walk: the client is then the last trusted hop,
 * never the text. Ports and brackets are dropped; the answer is in the form the peer's is ({@link
 * InetAddress#getHostAddress}), so one client is one rate-limit key however a proxy wrote it.
 *
 * <p>A request without forwarding headers costs a scan of its header names; one with them from an
 * untrusted peer one parse of the peer's address; from a trusted peer one pass over the header's
 * text ({@code bench/jmh} {@code ClientAddressBenchmark}).
 */
public final class ClientAddresses {
  private static final String XFF = "x-forwarded-for";
  private static final String FORWARDED = "forwarded";

  private ClientAddresses() {}

  /**
   * The client of a request from {@code peer}.
   *
   * @param headers the request's headers as name, value pairs (a null name ends them), as {@link
   *     RequestHead#headers()}
   */
  public static String resolve(String peer, TrustedProxies trusted, String[] headers) {
    if (trusted.isEmpty()) {
      return peer;
    }
    // The headers first: a scan of names allocates nothing, parsing the peer does.
    String xff = joined(headers, XFF);
    String forwarded = xff == null ? joined(headers, FORWARDED) : null;
    if ((xff == null && forwarded == null) || !trusted.contains(peer)) {
      return peer;
    }
    if (xff != null) {
      return walk(peer, trusted, xffNodes(xff));
    }
    return forwarded == null ? peer : walk(peer, trusted, forwardedNodes(forwarded));
  }

  /** Right to left: the first node that is not trusted, or the last trusted one. */
  private static String walk(String peer, TrustedProxies trusted, List<String> nodes) {
    String client = peer;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      byte[] address = Cidrs.literal(nodes.get(i));
      if (address == null) {
        return client; // not an address: the last trusted hop is all we know
      }
      client = text(address);
      if (!trusted.containsAddress(address)) {
        return client;
      }
    }
    return client;
  }

  /** Every value of {@code name}, joined with ',' in order, or null. */
  private static @Nullable String joined(String[] headers, String name) {
    String out = null;
    for (int i = 0; i < headers.length && headers[i] != null; i += 2) {
      String n = headers[i];
      if (n.length() == name.length() && n.equalsIgnoreCase(name)) {
        out = out == null ? headers[i + 1] : out + "," + headers[i + 1];
      }
    }
    return out;
  }

  /** The nodes of an X-Forwarded-For list, each without its port or brackets. */
  static List<String> xffNodes(String value) {
    List<String> out = new ArrayList<>(4);
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      out.add(node(value.substring(start, end).trim()));
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    return out;
  }

  /**
   * The {@code for=} node of each forwarded-element (RFC 7239 section 4), quoted strings honoured;
   * an element without one gives "" (not an address).
   */
  static List<String> forwardedNodes(String value) {
    List<String> out = new ArrayList<>(4);
    String found = "";
    int i = 0;
    int n = value.length();
    while (i < n) {
      char c = value.charAt(i);
      if (c == ',') {
        out.add(found);
        found = "";
        i++;
      } else if (c == ';' || c == ' ' || c == '\t') {
        i++;
      } else {
        // a pair: token '=' (token / quoted-string)
        int eq = i;
        while (eq < n && value.charAt(eq) != '=' && value.charAt(eq) != ',') {
          eq++;
        }
        String name = value.substring(i, eq).trim();
        if (eq >= n || value.charAt(eq) == ',') {
          i = eq; // a bare token: not a pair
          continue;
        }
        int v = eq + 1;
        StringBuilder val = new StringBuilder();
        if (v < n && value.charAt(v) == '"') {
          v++;
          while (v < n && value.charAt(v) != '"') {
            if (value.charAt(v) == '\\' && v + 1 < n) {
              v++;
            }
            val.append(value.charAt(v++));
          }
          v++; // the closing quote
        } else {
          while (v < n && value.charAt(v) != ';' && value.charAt(v) != ',') {
            val.append(value.charAt(v++));
          }
        }
        if (name.equalsIgnoreCase("for")) {
          found = node(val.toString().trim());
        }
        i = v;
      }
    }
    out.add(found);
    return out;
  }

  /** A node without its port: {@code [v6]:port}, {@code [v6]}, {@code v4:port}, or as it is. */
  private static String node(String s) {
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      return close < 0 ? s : s.substring(1, close);
    }
    int colon = s.indexOf(':');
    if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
      return s.substring(0, colon); // one colon: IPv4 with a port
    }
    return s;
  }

  /** The address as Java writes a peer's ({@code 10.0.0.1}, {@code 2001:db8:0:0:0:0:0:1}). */
  private static String text(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes", e);
    }
  }
}
