package io.gatehouse.fallback;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * Renders Gatehouse's own answers. Only the status, its standard phrase and the request id are
 * shown: never a route, an upstream address or an exception.
 */
public final class ErrorPages {
  private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  public static final String REQUEST_ID = "x-request-id";

  private ErrorPages() {}

  public static String phrase(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 421 -> "Misdirected Request";
      case 431 -> "Request Header Fields Too Large";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  /** Whether the client prefers JSON: it names application/json and not text/html first. */
  public static boolean wantsJson(@Nullable String accept) {
    if (accept == null) {
      return false;
    }
    int json = accept.indexOf("application/json");
    if (json < 0) {
      json = accept.indexOf("+json");
    }
    if (json < 0) {
      return false;
    }
    int html = accept.indexOf("text/html");
    return html < 0 || json < html;
  }

  public static Buffer body(int status, @Nullable String requestId, boolean json) {
    String phrase = phrase(status);
    String id = safeId(requestId);
    String text;
    if (json) {
      text =
          "{\"status\":" + status + ",\"error\":\"" + phrase + "\",\"requestId\":\"" + id + "\"}\n";
    } else {
      text =
          "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
              + status
              + " "
              + phrase
              + "</title></head>\n<body><h1>"
              + status
              + " "
              + phrase
              + "</h1>\n<p>Request ID: <code>"
              + id
              + "</code></p>\n<hr><p>gatehouse</p></body></html>\n";
    }
    return Buffer.buffer(text);
  }

  /** Ends {@code response} with the page for {@code status}; HEAD gets the headers only. */
  public static void send(
      HttpServerResponse response,
      int status,
      @Nullable String requestId,
      @Nullable String accept,
      boolean head) {
    boolean json = wantsJson(accept);
    Buffer body = body(status, requestId, json);
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, json ? JSON : HTML)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (requestId != null) {
      response.putHeader(REQUEST_ID, safeId(requestId));
    }
    if (head) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
    } else {
      response.end(body);
    }
  }

  /** Request ids are echoed into HTML and JSON, so only a safe alphabet is shown. */
  /** The request-id alphabet: safe in HTML, JSON and log lines without escaping. */
  public static boolean isRequestIdChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == ':';
  }

  static String safeId(@Nullable String id) {
    if (id == null) {
      return "";
    }
    int n = Math.min(id.length(), 128);
    StringBuilder b = null;
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (!isRequestIdChar(c)) {
        if (b == null) {
          b = new StringBuilder(id.substring(0, i));
        }
        b.append('_');
      } else if (b != null) {
        b.append(c);
      }
    }
    return b != null ? b.toString() : (n == id.length() ? id : id.substring(0, n));
  }
}
