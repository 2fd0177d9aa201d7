package io.gatehouse.policy;

import io.gatehouse.encoding.BodyEncoders;
import io.gatehouse.model.policy.Compression;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * User policy {@code Compression}: decides, from the response head, whether a proxied response is
 * compressed on its way to the client, and with which coding. It never compresses a response to
 * HEAD, a 204, 206 or 304, a response that already has a {@code Content-Encoding} or a {@code
 * Content-Range}, one whose request or response says {@code Cache-Control: no-transform}, one whose
 * type is not listed, or one shorter than the minimum (a streamed one of unknown length counts as
 * long enough). Such a response as could be compressed gets {@code Vary: Accept-Encoding}, whether
 * this client accepted a coding or not, so a cache keeps the variants apart. A compressed one gets
 * {@code Content-Encoding}, a strong {@code ETag} made weak (the bytes differ from the upstream's),
 * and no {@code Content-Length} (the proxy streams it). The encoding itself is the proxy's: this
 * filter names the coding and level through {@link RequestContext#encodeResponse}, and the proxy
 * takes an encoder from its event loop's pool.
 *
 * <p>If brotli's or zstd-jni's native library cannot load on this platform, {@code br} or {@code
 * zstd} is not offered (the node says so when it starts): a client that accepts another listed
 * coding too gets that one, else the body as it is; never a body in a coding it did not ask for.
 */
public final class CompressionFilter implements ResponseFilter {
  private final String[] codings;
  private final int[] levels;
  private final String[] exactTypes;

  /** The {@code type/} of each {@code type/*} entry. */
  private final String[] typePrefixes;

  private final long minBytes;

  CompressionFilter(Compression spec) {
    this(spec, BodyEncoders.brotliAvailable());
  }

  /** With zstd as this node serves it; {@code brotli}: whether br can be served. */
  CompressionFilter(Compression spec, boolean brotli) {
    this(spec, brotli, BodyEncoders.zstdAvailable());
  }

  CompressionFilter(Compression spec, boolean brotli, boolean zstd) {
    List<String> offered = new ArrayList<>();
    for (String a : spec.algorithms()) {
      if (a.equals(Compression.GZIP)
          || (a.equals(Compression.BROTLI) && brotli)
          || (a.equals(Compression.ZSTD) && zstd)) {
        offered.add(a);
      }
    }
    codings = offered.toArray(new String[0]);
    levels = new int[codings.length];
    for (int i = 0; i < codings.length; i++) {
      levels[i] = spec.level(codings[i]);
    }
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (String t : spec.contentTypes()) {
      if (t.endsWith("/*")) {
        prefixes.add(t.substring(0, t.length() - 1));
      } else {
        exact.add(t);
      }
    }
    exactTypes = exact.toArray(new String[0]);
    typePrefixes = prefixes.toArray(new String[0]);
    minBytes = spec.minBytes();
  }

  @Override
  public void onResponse(RequestContext request, int status, HeaderEdits downstream) {
    if (!compressible(request, status, downstream)) {
      return;
    }
    FieldLists.addToVary(downstream, "Accept-Encoding");
    int pick = AcceptEncoding.choose(request.headerValues("accept-encoding"), codings);
    if (pick < 0) {
      return;
    }
    String etag = downstream.get("etag");
    if (etag != null && etag.startsWith("\"")) {
      downstream.set("etag", "W/" + etag);
    }
    downstream.set("content-encoding", codings[pick]);
    request.encodeResponse(codings[pick], levels[pick]);
  }

  /** Everything but the client's choice: whether this response may be compressed at all. */
  boolean compressible(RequestContext request, int status, HeaderEdits downstream) {
    if (status < 200 || status == 204 || status == 206 || status == 304) {
      return false;
    }
    if ("HEAD".equals(request.method())) {
      return false;
    }
    if (downstream.get("content-encoding") != null || downstream.get("content-range") != null) {
      return false;
    }
    long length = request.responseLength();
    if (length >= 0 && length < minBytes) {
      return false;
    }
    if (!typeListed(downstream.get("content-type"))) {
      return false;
    }
    return !noTransform(downstream.get("cache-control"))
        && !noTransform(request.headerValues("cache-control"));
  }

  private boolean typeListed(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    for (String t : exactTypes) {
      if (t.equals(type)) {
        return true;
      }
    }
    for (String p : typePrefixes) {
      if (type.startsWith(p) && type.length() > p.length()) {
        return true;
      }
    }
    return false;
  }

  private static boolean noTransform(@Nullable String cacheControl) {
    return cacheControl != null && FieldLists.hasToken(cacheControl, "no-transform");
  }

  @Override
  public String toString() {
    return "CompressionFilter[" + String.join(",", codings) + "]";
  }
}
