package io.gatehouse.edge;

import io.gatehouse.validate.Hostnames;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.Optional;

/**
 * Applies the parsing rules Vert.x leaves to us (see docs/proxy.md, "Edge limits"): a request that
 * fails one is refused here and never reaches an upstream. One pass over the headers, no allocation
 * on the accepted path besides the normalised strings.
 */
public final class RequestGuard {
  private final EdgeLimitsHolder limits;

  public RequestGuard(EdgeLimits limits) {
    this(new EdgeLimitsHolder(limits));
  }

  /** Reads the node's limits once per request: a reload applies from the next request on. */
  public RequestGuard(EdgeLimitsHolder limits) {
    this.limits = limits;
  }

  /** The checked head, or a {@link Refusal}. */
  public GuardResult check(HttpServerRequest req) {
    EdgeLimits l = limits.get();
    int maxHeaderCount = l.maxHeaderCount();
    int maxHeaderLineBytes = l.maxHeaderLineBytes();
    EdgeLimits.UnderscoreHeaders underscores = l.underscoreHeaders();
    MultiMap headers = req.headers();
    int count = 0;
    int hosts = 0;
    int transferEncodings = 0;
    String host = null;
    boolean underscore = false;
    long contentLength = -1;
    boolean sawContentLength = false;
    String connection = null;
    String upgrade = null;
    boolean expectContinue = false;
    String requestId = null;
    // size() counts distinct names; repeated names grow the array below.
    String[] pairs = new String[Math.min(headers.size() + 4, maxHeaderCount + 1) * 2];
    for (Map.Entry<String, String> h : headers) {
      count++;
      if (count > maxHeaderCount) {
        return new Refusal(431, "more than " + maxHeaderCount + " header fields");
      }
      String name = h.getKey();
      String value = h.getValue();
      if (2 * count > pairs.length) {
        pairs = java.util.Arrays.copyOf(pairs, Math.min(pairs.length * 2, 2 * maxHeaderCount));
      }
      pairs[2 * count - 2] = name;
      pairs[2 * count - 1] = value;
      if (name.isEmpty()) {
        return Refusal.badRequest("empty header name");
      }
      if (name.length() + value.length() + 2 > maxHeaderLineBytes) {
        return new Refusal(431, "header line longer than " + maxHeaderLineBytes + " bytes");
      }
      if (name.indexOf('_') >= 0) {
        if (underscores == EdgeLimits.UnderscoreHeaders.REJECT) {
          return Refusal.badRequest("header name with '_'");
        }
        underscore |= underscores == EdgeLimits.UnderscoreHeaders.DROP;
      }
      switch (name.length()) {
        case 4 -> {
          if (name.equalsIgnoreCase("host")) {
            hosts++;
            host = value;
          }
        }
        case 6 ->
            expectContinue |=
                name.equalsIgnoreCase("expect") && value.equalsIgnoreCase("100-continue");
        case 7 -> {
          if (name.equalsIgnoreCase("upgrade")) {
            upgrade = value;
          }
        }
        case 10 -> {
          if (name.equalsIgnoreCase("connection")) {
            connection = connection == null ? value : connection + ", " + value;
          }
        }
        case 12 -> {
          if (name.equalsIgnoreCase("x-request-id")) {
            requestId = value;
          }
        }
        case 14 -> {
          if (name.equalsIgnoreCase("content-length")) {
            sawContentLength = true;
            contentLength = parseLength(value);
          }
        }
        case 17 -> {
          if (name.equalsIgnoreCase("transfer-encoding")) {
            transferEncodings++;
            if (!value.equalsIgnoreCase("chunked")) {
              return Refusal.badRequest("Transfer-Encoding other than exactly \"chunked\"");
            }
          }
        }
        default -> {}
      }
    }
    if (count > maxHeaderCount) {
      return new Refusal(431, "more than " + maxHeaderCount + " header fields");
    }
    if (transferEncodings > 1) {
      return Refusal.badRequest("Transfer-Encoding repeated");
    }
    if (transferEncodings > 0 && sawContentLength) {
      // Netty keeps both only through StrictRequestDecoder (HTTP/1.1) or for HTTP/1.0.
      return Refusal.badRequest("both Transfer-Encoding and Content-Length");
    }
    if (transferEncodings > 0 && req.version() == HttpVersion.HTTP_1_0) {
      // RFC 9112 6.1: the framing of an HTTP/1.0 message with Transfer-Encoding is faulty.
      return Refusal.badRequest("Transfer-Encoding in an HTTP/1.0 request");
    }
    if (hosts > 1) {
      return Refusal.badRequest("more than one Host header");
    }
    boolean http11 = req.version() == HttpVersion.HTTP_1_1;
    if (http11 && hosts == 0) {
      return Refusal.badRequest("HTTP/1.1 request without Host");
    }
    if (req.version() == HttpVersion.HTTP_2 && host == null && req.authority() != null) {
      // HTTP/2 carries the authority in :authority, not in a Host header.
      host = req.authority().toString();
    }
    String uri = req.uri();
    if (uri == null) {
      // An HTTP/2 CONNECT has no :path; the edge tunnels nothing.
      return Refusal.badRequest("request target is neither origin-form nor absolute-form");
    }
    String rawPath;
    String query;
    String authority = host;
    if (uri.startsWith("/")) {
      int q = uri.indexOf('?');
      rawPath = q < 0 ? uri : uri.substring(0, q);
      query = q < 0 ? null : uri.substring(q + 1);
    } else if (startsWithIgnoreCase(uri, "http://") || startsWithIgnoreCase(uri, "https://")) {
      // RFC 9112 3.2.2: the target's authority wins over Host.
      int start = uri.indexOf("//") + 2;
      int end = start;
      while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
        end++;
      }
      authority = uri.substring(start, end);
      if (authority.isEmpty()) {
        return Refusal.badRequest("absolute-form target without authority");
      }
      String rest = uri.substring(end);
      int q = rest.indexOf('?');
      rawPath = q < 0 ? rest : rest.substring(0, q);
      query = q < 0 ? null : rest.substring(q + 1);
      if (rawPath.isEmpty()) {
        rawPath = "/";
      }
    } else {
      return Refusal.badRequest("request target is neither origin-form nor absolute-form");
    }
    if (query != null && query.indexOf('#') >= 0) {
      return Refusal.badRequest("fragment in request target");
    }
    String normalizedHost = null;
    if (authority != null) {
      if (authority.indexOf('@') >= 0) {
        return Refusal.badRequest("userinfo in Host");
      }
      Optional<String> h = Hostnames.normalizeRequestHost(authority);
      if (h.isEmpty()) {
        return Refusal.badRequest("invalid Host");
      }
      normalizedHost = h.get();
    }
    String path = RequestPaths.normalize(rawPath);
    if (path == null) {
      return Refusal.badRequest("invalid path");
    }
    return new RequestHead(
        authority,
        normalizedHost,
        path,
        query,
        underscore,
        contentLength,
        transferEncodings == 1,
        connection,
        upgrade,
        // RFC 9110 10.1.1: an HTTP/1.0 request's 100-continue expectation is ignored.
        expectContinue && req.version() != HttpVersion.HTTP_1_0,
        requestId,
        pairs);
  }

  /** Vert.x has already refused malformed and repeated Content-Length values. */
  private static long parseLength(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
