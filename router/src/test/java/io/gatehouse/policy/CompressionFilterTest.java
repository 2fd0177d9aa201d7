package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.policy.Compression;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionFilterTest {
  private static final Compression POLICY =
      new Compression(
          List.of("br", "gzip"), List.of("text/*", "application/json"), 1024, Map.of("gzip", 1));

  /** What the filter asked the proxy to encode a body with. */
  record Encoding(String coding, int level) {}

  /** A request as the compression filter reads it, and what it asked the proxy to encode with. */
  static final class Request implements RequestContext {
    String method = "GET";
    final MultiMap headers = HttpHeaders.headers();
    long responseLength = -1;
    final List<Encoding> encoders = new ArrayList<>();

    @Override
    public String host() {
      return "a.example";
    }

    @Override
    public String path() {
      return "/";
    }

    @Override
    public String query() {
      return null;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public String authority() {
      return "a.example";
    }

    @Override
    public void upstreamTarget(String target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void upstreamHost(String host) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void answerHeader(String lowerCaseName, String value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String headerValues(String lowerCaseName) {
      List<String> all = headers.getAll(lowerCaseName);
      return all.isEmpty() ? null : String.join(", ", all);
    }

    @Override
    public long contentLength() {
      return -1;
    }

    @Override
    public boolean tls() {
      return false;
    }

    @Override
    public boolean httpsListener() {
      return false;
    }

    @Override
    public String httpsPort() {
      return null;
    }

    @Override
    public String sniName() {
      return null;
    }

    @Override
    public SSLSession sslSession() {
      return null;
    }

    @Override
    public ConnectionMemo connectionMemo() {
      return null;
    }

    @Override
    public void location(String uri) {}

    @Override
    public void clientCertificate(ClientCertificateCheck.Result verdict) {}

    @Override
    public long responseLength() {
      return responseLength;
    }

    @Override
    public void encodeResponse(String coding, int level) {
      encoders.add(new Encoding(coding, level));
    }
  }

  /**
   * One response through the filter. The row gives the request's method and Accept-Encoding, the
   * status, the response's Content-Type, Content-Length (-1: none), one more response header
   * ({@code name: value}, or empty) and what the client should get: the coding, or "-" for the body
   * as it is.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "text at the minimum | GET | br, gzip | 200 | text/html | 1024 | | br",
        "json with a charset | GET | gzip | 200 | application/json; charset=utf-8 | 5000 | | gzip",
        "type in upper case | GET | gzip | 200 | Text/Plain | 5000 | | gzip",
        "a streamed body of unknown length | GET | gzip | 200 | text/plain | -1 | | gzip",
        "an error page is compressed too | GET | br | 404 | text/html | 5000 | | br",
        "below the minimum | GET | br, gzip | 200 | text/html | 1023 | | -",
        "an empty body | GET | br, gzip | 200 | text/html | 0 | | -",
        "a type not listed | GET | br, gzip | 200 | image/png | 5000 | | -",
        "a type prefix is not a type | GET | br, gzip | 200 | application/jsonx | 5000 | | -",
        "no content type | GET | br, gzip | 200 | NULL | 5000 | | -",
        "already encoded | GET | br, gzip | 200 | text/html | 5000 | content-encoding: gzip | -",
        "identity encoding is still an encoding | GET | gzip | 200 | text/html | 5000 |"
            + " content-encoding: identity | -",
        "a range answer | GET | gzip | 206 | text/html | 5000 | content-range: bytes 0-4999/9000 | -",
        "a content range without 206 | GET | gzip | 200 | text/html | 5000 |"
            + " content-range: bytes */9000 | -",
        "no-transform | GET | gzip | 200 | text/html | 5000 | cache-control: public, no-transform | -",
        "no-transform among others | GET | gzip | 200 | text/html | 5000 |"
            + " cache-control: No-Transform ,max-age=5 | -",
        "a HEAD request | HEAD | gzip | 200 | text/html | 5000 | | -",
        "a 204 | GET | gzip | 204 | text/html | -1 | | -",
        "a 304 | GET | gzip | 304 | text/html | -1 | | -",
        "a client that accepts none | GET | identity | 200 | text/html | 5000 | | -",
        "a client without Accept-Encoding | GET | NULL | 200 | text/html | 5000 | | -",
        "a client refusing br | GET | br;q=0, * | 200 | text/html | 5000 | | gzip",
      })
  void decides_from_the_head(
      String name,
      String method,
      String acceptEncoding,
      int status,
      String contentType,
      long length,
      String extra,
      String expected) {
    Request r = new Request();
    r.method = method;
    if (acceptEncoding != null) {
      r.headers.add("accept-encoding", acceptEncoding);
    }
    r.responseLength = length;
    MultiMap out = HttpHeaders.headers();
    if (contentType != null) {
      out.add("content-type", contentType);
    }
    if (extra != null) {
      int colon = extra.indexOf(':');
      out.add(extra.substring(0, colon).trim(), extra.substring(colon + 1).trim());
    }
    String before = extra == null ? null : out.get(extra.substring(0, extra.indexOf(':')).trim());
    new CompressionFilter(POLICY, true).onResponse(r, status, new MultiMapEdits(out));
    if (expected.equals("-")) {
      assertThat(r.encoders).as(name).isEmpty();
      if (extra == null || !extra.startsWith("content-encoding")) {
        assertThat(out.get("content-encoding")).as(name).isNull();
      } else {
        assertThat(out.get("content-encoding")).as(name).isEqualTo(before);
      }
    } else {
      assertThat(r.encoders).as(name).hasSize(1);
      assertThat(r.encoders.get(0).coding()).as(name).isEqualTo(expected);
      assertThat(out.get("content-encoding")).as(name).isEqualTo(expected);
      assertThat(out.get("vary")).as(name).isEqualTo("Accept-Encoding");
    }
  }

  @Test
  void a_request_saying_no_transform_is_not_compressed() {
    Request r = new Request();
    r.headers.add("accept-encoding", "gzip").add("cache-control", "no-transform");
    MultiMap out = HttpHeaders.headers().add("content-type", "text/html");
    new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(out));
    assertThat(r.encoders).isEmpty();
  }

  @Test
  void accept_encoding_split_over_lines_is_read_as_one_list() {
    Request r = new Request();
    r.headers.add("accept-encoding", "br;q=0").add("accept-encoding", "gzip");
    MultiMap out = HttpHeaders.headers().add("content-type", "text/html");
    new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(out));
    assertThat(out.get("content-encoding")).isEqualTo("gzip");
  }

  @Test
  void vary_is_merged_and_set_even_when_this_client_takes_the_body_as_it_is() {
    record Case(String vary, String acceptEncoding, String expected) {}
    List<Case> cases =
        List.of(
            new Case(null, "identity", "Accept-Encoding"),
            new Case("Origin", "gzip", "Origin, Accept-Encoding"),
            new Case("origin, accept-encoding", "gzip", "origin, accept-encoding"),
            new Case("*", "gzip", "*"),
            new Case("Cookie,Accept-Encoding", "gzip", "Cookie,Accept-Encoding"));
    for (Case c : cases) {
      Request r = new Request();
      r.headers.add("accept-encoding", c.acceptEncoding());
      MultiMap out = HttpHeaders.headers().add("content-type", "text/html");
      if (c.vary() != null) {
        out.add("vary", c.vary());
      }
      new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(out));
      assertThat(out.getAll("vary")).as("%s", c).containsExactly(c.expected());
    }
    // A response that could never be compressed is left alone.
    Request r = new Request();
    MultiMap png = HttpHeaders.headers().add("content-type", "image/png");
    new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(png));
    assertThat(png.contains("vary")).isFalse();
  }

  @Test
  void a_strong_etag_is_made_weak_and_a_weak_one_kept() {
    for (String[] c : new String[][] {{"\"abc\"", "W/\"abc\""}, {"W/\"abc\"", "W/\"abc\""}}) {
      Request r = new Request();
      r.headers.add("accept-encoding", "gzip");
      MultiMap out = HttpHeaders.headers().add("content-type", "text/html").add("etag", c[0]);
      new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(out));
      assertThat(out.get("etag")).isEqualTo(c[1]);
    }
    Request r = new Request();
    r.headers.add("accept-encoding", "identity");
    MultiMap out = HttpHeaders.headers().add("content-type", "text/html").add("etag", "\"abc\"");
    new CompressionFilter(POLICY, true).onResponse(r, 200, new MultiMapEdits(out));
    assertThat(out.get("etag")).as("not compressed: the same bytes").isEqualTo("\"abc\"");
  }

  @Test
  void brotli_is_left_out_when_its_library_cannot_load() {
    Request r = new Request();
    r.headers.add("accept-encoding", "br");
    MultiMap out = HttpHeaders.headers().add("content-type", "text/html");
    new CompressionFilter(POLICY, false).onResponse(r, 200, new MultiMapEdits(out));
    assertThat(r.encoders).as("br only, and br cannot be served").isEmpty();
    assertThat(out.contains("content-encoding")).isFalse();
    r.headers.set("accept-encoding", "br, gzip");
    new CompressionFilter(POLICY, false).onResponse(r, 200, new MultiMapEdits(out));
    assertThat(r.encoders).hasSize(1);
    assertThat(r.encoders.get(0)).isEqualTo(new Encoding("gzip", 1));
  }

  /** The coding {@code filter} picks for {@code acceptEncoding}, or "-" for the body as it is. */
  private static String picked(CompressionFilter filter, String acceptEncoding) {
    Request r = new Request();
    r.headers.add("accept-encoding", acceptEncoding);
    MultiMap out = HttpHeaders.headers().add("content-type", "text/html");
    filter.onResponse(r, 200, new MultiMapEdits(out));
    String coding = out.get("content-encoding");
    assertThat(r.encoders).hasSize(coding == null ? 0 : 1);
    if (coding != null) {
      assertThat(r.encoders.get(0).coding()).isEqualTo(coding);
    }
    return coding == null ? "-" : coding;
  }

  @Test
  void zstd_is_chosen_by_the_client_weight_then_by_the_policy_order() {
    CompressionFilter zstdLast =
        new CompressionFilter(
            new Compression(List.of("br", "gzip", "zstd"), List.of("text/*"), 0, Map.of()),
            true,
            true);
    CompressionFilter zstdFirst =
        new CompressionFilter(
            new Compression(List.of("zstd", "br", "gzip"), List.of("text/*"), 0, Map.of()),
            true,
            true);
    record Case(String name, String acceptEncoding, String last, String first) {}
    List<Case> cases =
        List.of(
            new Case("a browser: a tie", "gzip, deflate, br, zstd", "br", "zstd"),
            new Case("zstd only", "zstd", "zstd", "zstd"),
            new Case("zstd preferred", "br;q=0.5, gzip;q=0.5, zstd", "zstd", "zstd"),
            new Case("zstd refused", "zstd;q=0, *", "br", "br"),
            new Case("zstd in upper case", "ZSTD;q=1, gzip;q=0.9", "zstd", "zstd"),
            new Case("gzip preferred", "gzip, zstd;q=0.8, br;q=0.1", "gzip", "gzip"));
    for (Case c : cases) {
      assertThat(picked(zstdLast, c.acceptEncoding())).as(c.name()).isEqualTo(c.last());
      assertThat(picked(zstdFirst, c.acceptEncoding())).as(c.name()).isEqualTo(c.first());
    }
  }

  @Test
  void zstd_is_left_out_when_its_library_cannot_load() {
    CompressionFilter noZstd =
        new CompressionFilter(
            new Compression(List.of("zstd", "gzip"), List.of("text/*"), 0, Map.of()), true, false);
    assertThat(picked(noZstd, "zstd")).as("zstd only, and zstd cannot be served").isEqualTo("-");
    assertThat(picked(noZstd, "zstd, gzip")).isEqualTo("gzip");
    assertThat(noZstd).hasToString("CompressionFilter[gzip]");
  }

  @Test
  void list_tokens_are_matched_whole_and_without_parameters() {
    assertThat(FieldLists.hasToken("max-age=5, no-transform", "no-transform")).isTrue();
    assertThat(FieldLists.hasToken("x-no-transform", "no-transform")).isFalse();
    assertThat(FieldLists.hasToken("no-transformed", "no-transform")).isFalse();
    assertThat(FieldLists.hasToken(" * ", "*")).isTrue();
    assertThat(FieldLists.hasToken("", "*")).isFalse();
  }
}
