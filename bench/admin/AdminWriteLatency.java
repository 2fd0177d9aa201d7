// Admin write latency: N route PUTs against a running node's admin API, p50/p99, with and without
// ?wait=all. Single-file program (Java 17):
//   java bench/admin/AdminWriteLatency.java URL TOKEN [N] [EXISTING]
// EXISTING routes (default 0) are created first in batches of 100, so the writes measure a table
// of that size (one host, one path prefix each).
// The tenant "bench" and its claim on bench.example are created first (admin token required).
// Start the node with a rate limit above the load, e.g. --set admin.ratePerSecond=100000
// --set admin.rateBurst=100000, or the writes measure 429s.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

public class AdminWriteLatency {
  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int existing = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    send(http, base + "/v1/tenants/bench", token, "{}");
    send(http, base + "/v1/tenants/bench/host-claims/bench.example", token, null);
    for (int from = 0; from < existing; from += 100) {
      StringBuilder items = new StringBuilder();
      for (int i = from; i < Math.min(existing, from + 100); i++) {
        items.append(items.length() == 0 ? "" : ",")
            .append("{\"op\":\"put\",\"kind\":\"route\",\"name\":\"pre")
            .append(i)
            .append("\",\"route\":{\"hosts\":[\"bench.example\"],\"paths\":[{\"type\":\"Prefix\",\"value\":\"/pre")
            .append(i)
            .append("\"}],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}}");
      }
      int status =
          post(http, base + "/v1/tenants/bench/batch?wait=all&waitTimeout=60s", token,
              "{\"items\":[" + items + "]}");
      if (status != 200) {
        throw new IllegalStateException("preloading routes failed: HTTP " + status);
      }
      if ((from / 100) % 10 == 9) {
        System.err.printf("preloaded %d of %d routes%n", from + 100, existing);
      }
    }
    // Warm-up (JIT, connections), not measured: otherwise the first series pays for it.
    for (int i = 0; i < 200; i++) {
      send(
          http,
          base + "/v1/tenants/bench/routes/warm" + (i % 10),
          token,
          "{\"hosts\":[\"bench.example\"],\"priority\":" + i
              + ",\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}");
    }
    for (String wait : new String[] {"", "?wait=all&waitTimeout=10s"}) {
      long[] nanos = new long[n];
      int refused = 0;
      for (int i = 0; i < n; i++) {
        String body =
            "{\"hosts\":[\"bench.example\"],\"priority\":" + i
                + ",\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";
        long t0 = System.nanoTime();
        int status = send(http, base + "/v1/tenants/bench/routes/r" + (i % 50) + wait, token, body);
        nanos[i] = System.nanoTime() - t0;
        if (status >= 300 && status != 202) {
          refused++;
        }
      }
      Arrays.sort(nanos);
      System.out.printf(
          "%-10s existing=%d n=%d refused=%d p50=%.2fms p99=%.2fms max=%.2fms%n",
          wait.isEmpty() ? "no-wait" : "wait=all",
          existing,
          n,
          refused,
          nanos[n / 2] / 1e6,
          nanos[(int) (n * 0.99)] / 1e6,
          nanos[n - 1] / 1e6);
    }
  }

  static int post(HttpClient http, String url, String token, String body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(90))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static int send(HttpClient http, String url, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
