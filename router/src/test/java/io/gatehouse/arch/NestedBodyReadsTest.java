package io.gatehouse.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the router's tests to reading a Vert.x response body in the callback that delivers the
 * head. Vert.x 5.0.10's {@code HttpClientResponse.body()} never completes when it is asked for
 * after the answer ended (eclipse-vertx/vert.x#6038, see {@code LateResponseBodyIT}); a chain built
 * on the test thread, {@code request(o).compose(r -> r.send()).compose(resp -> resp.body())},
 * attaches the body step from that thread, which a loaded machine deschedules long enough. The flat
 * chain timed out in CI twice (the "lost answer" of session 3, {@code HeaderPoliciesIT} in session
 * 7), each time looking like a product bug.
 *
 * <p>A source check, because the difference is only where a parenthesis closes: a body step whose
 * chain has an earlier step that sends the request is flat.
 */
class NestedBodyReadsTest {
  private static final Pattern BODY_STEP =
      Pattern.compile(
          "\\.(?:compose|flatMap)\\(\\s*(?:(\\w+)\\s*->\\s*\\1\\s*\\.body\\(\\)|HttpClientResponse::body)");

  private static final Pattern BLOCK_STEP =
      Pattern.compile("\\.(?:compose|flatMap)\\(\\s*(\\w+)\\s*->\\s*\\{");

  @Test
  void no_test_reads_a_body_in_a_step_after_the_one_that_sent_the_request() throws IOException {
    List<String> flat = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String src = Files.readString(f);
        for (int line : flatBodySteps(src)) {
          flat.add(f + ":" + line);
        }
      }
    }
    assertThat(flat)
        .as("nest the body step inside the send step: r.send().compose(resp -> resp.body())")
        .isEmpty();
  }

  @Test
  void the_check_tells_a_flat_chain_from_a_nested_one() {
    String flat =
        """
        return client
            .request(o)
            // a comment (with a parenthesis
            .compose(r -> r.authority(a).send("x)"))
            .compose(r -> r.body().map(b -> r.statusCode()))
            .await();
        """;
    String flatByReference =
        "c.request(o).compose(HttpClientRequest::send).compose(HttpClientResponse::body);";
    String nested =
        """
        return client
            .request(o)
            .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
            .await();
        """;
    String noSend = "r.response().compose(resp -> resp.body());";
    String parenthesised =
        "c.request(o).compose(r -> (n > 0 ? r.send(b) : r.send()).compose(x -> x.body()));";
    String flatBlock =
        """
        client
            .request(o)
            .compose(req -> req.send())
            .compose(
                resp -> {
                  head[0] = resp;
                  return resp.body();
                })
            .await();
        """;
    assertThat(flatBodySteps(flatBlock)).containsExactly(4);
    assertThat(flatBodySteps(flat)).containsExactly(5);
    assertThat(flatBodySteps(flatByReference)).containsExactly(1);
    assertThat(flatBodySteps(nested)).isEmpty();
    assertThat(flatBodySteps(noSend)).isEmpty();
    assertThat(flatBodySteps(parenthesised)).isEmpty();
  }

  /** The lines of body steps chained after a step that sends the request. */
  static List<Integer> flatBodySteps(String source) {
    String s = blankCommentsAndLiterals(source);
    List<Integer> lines = new ArrayList<>();
    Matcher m = BODY_STEP.matcher(s);
    while (m.find()) {
      if (anEarlierStepSends(s, m.start())) {
        lines.add(lineOf(s, m.start()));
      }
    }
    // A block lambda reads the body as surely: resp -> { keep(resp); return resp.body(); }
    Matcher b = BLOCK_STEP.matcher(s);
    while (b.find()) {
      int end = matchingClose(s, b.end() - 1);
      String block = s.substring(b.end(), end < 0 ? s.length() : end);
      if (block.contains(b.group(1) + ".body()") && anEarlierStepSends(s, b.start())) {
        lines.add(lineOf(s, b.start()));
      }
    }
    lines.sort(null);
    return lines;
  }

  private static int matchingClose(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Walks the chain back from the '.' of a step: whether a step before it sends. */
  private static boolean anEarlierStepSends(String s, int dot) {
    int i = skipSpace(s, dot - 1);
    while (i >= 0 && s.charAt(i) == ')') {
      int open = matchingOpen(s, i);
      if (open < 0) {
        return false;
      }
      int nameEnd = skipSpace(s, open - 1);
      int nameStart = nameEnd;
      while (nameStart >= 0 && Character.isJavaIdentifierPart(s.charAt(nameStart))) {
        nameStart--;
      }
      if (nameStart == nameEnd) {
        // A parenthesised receiver, (a ? b.send() : c.send()).compose(...): the body step is
        // attached in the same callback as the send.
        return false;
      }
      String args = s.substring(open, i + 1);
      if (args.contains("send(") || args.contains("::send")) {
        return true;
      }
      i = skipSpace(s, nameStart);
      if (i < 0 || s.charAt(i) != '.') {
        return false;
      }
      i = skipSpace(s, i - 1);
    }
    return false;
  }

  private static int matchingOpen(String s, int close) {
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == ')') {
        depth++;
      } else if (c == '(' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static int skipSpace(String s, int i) {
    while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
      i--;
    }
    return i;
  }

  private static int lineOf(String s, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (s.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /**
   * The source with comments and the insides of string, text-block and char literals replaced by
   * spaces (newlines kept), so parentheses in them do not count.
   */
  static String blankCommentsAndLiterals(String src) {
    StringBuilder b = new StringBuilder(src);
    int n = src.length();
    int i = 0;
    while (i < n) {
      char c = src.charAt(i);
      if (src.startsWith("//", i)) {
        while (i < n && src.charAt(i) != '\n') {
          b.setCharAt(i++, ' ');
        }
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(b, src, i, end);
        i = end;
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        blank(b, src, i + 3, end - 3);
        i = end;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        blank(b, src, i + 1, Math.min(j, n));
        i = j + 1;
      } else {
        i++;
      }
    }
    return b.toString();
  }

  private static void blank(StringBuilder b, String src, int from, int to) {
    for (int k = from; k < to; k++) {
      if (src.charAt(k) != '\n') {
        b.setCharAt(k, ' ');
      }
    }
  }
}
