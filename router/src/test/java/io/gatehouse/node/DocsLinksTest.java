package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the repository's markdown (README.md, docs/, the modules' READMEs) names a
 * file that exists, and every {@code #anchor} a heading of that file, with GitHub's slugs. The
 * README is a map into docs/; a moved section must not leave a dead link behind.
 *
 * <p>Hand-written on purpose: a markdown library would parse more than the two things checked here
 * (inline links outside code, ATX headings), and the slug rule is GitHub's, which no library here
 * implements.
 */
class DocsLinksTest {
  /** The module's basedir is router/; the repository is one level up. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static final Pattern LINK =
      Pattern.compile("\\[[^\\]]*\\]\\(<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void every_relative_link_and_anchor_in_the_markdown_resolves() throws IOException {
    List<Path> files = markdownFiles();
    assertThat(files).contains(ROOT.resolve("README.md"));
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : files) {
      for (String target : links(file)) {
        if (SCHEME.matcher(target).find() || target.isEmpty()) {
          continue;
        }
        checked++;
        String problem = problem(file, target);
        if (problem != null) {
          broken.add(ROOT.relativize(file) + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(checked).as("relative links checked").isGreaterThan(10);
    assertThat(broken).as("broken links in the markdown").isEmpty();
  }

  @Test
  void slugs_follow_github() {
    assertThat(slug("TLS (issue #3): three interleaved rounds"))
        .isEqualTo("tls-issue-3-three-interleaved-rounds");
    assertThat(slug("Who can reach the member port")).isEqualTo("who-can-reach-the-member-port");
    assertThat(slug("`limits.*` and [edge](x.md) — keys")).isEqualTo("limits-and-edge--keys");
    assertThat(slug("HTTP/2 floods")).isEqualTo("http2-floods");
  }

  private String problem(Path file, String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    path = URLDecoder.decode(path, StandardCharsets.UTF_8);
    Path resolved =
        path.isEmpty()
            ? file
            : (path.startsWith("/") ? ROOT.resolve(path.substring(1)) : file.resolveSibling(path))
                .normalize();
    if (!resolved.startsWith(ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor == null || !resolved.toString().endsWith(".md")) {
      return null;
    }
    Set<String> known = anchors.computeIfAbsent(resolved, DocsLinksTest::headingSlugs);
    return known.contains(anchor) ? null : "no heading with anchor #" + anchor;
  }

  private static List<Path> markdownFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> Files.isRegularFile(p))
          .filter(p -> !skipped(ROOT.relativize(p)))
          .sorted()
          .toList();
    }
  }

  /** Build output, dependencies and hidden folders (.git, .ci, .mvn) are not documentation. */
  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** The link targets of a file, outside fenced code blocks and code spans. */
  private static List<String> links(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(file)) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static Set<String> headingSlugs(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> out = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (fenced || !m.matches()) {
        continue;
      }
      String base = slug(m.group(1));
      int n = seen.merge(base, 1, Integer::sum) - 1;
      out.add(n == 0 ? base : base + "-" + n);
    }
    return out;
  }

  /**
   * GitHub's heading anchor: the rendered text (a link's text, not its target) lower-cased, every
   * character but letters, digits, '_', '-' and spaces dropped, each space a '-'.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase();
    StringBuilder s = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (c == ' ') {
                s.append('-');
              } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                s.appendCodePoint(c);
              }
            });
    return s.toString();
  }
}
