package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.NginxAnnotation.Effect;
import io.gatehouse.k8s.translate.NginxAnnotation.Outcome;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fail-open audit of the ingress-nginx catalogue: every entry is held to its outcome by parsing
 * its sample, so an annotation that changes security or routing can never be listed as served while
 * the parser ignores it. Also pins the generated table in {@code docs/ingress-nginx.md}.
 */
class NginxCatalogueTest {
  private static final IngressRef REF = new IngressRef("shop", "audit");
  private static final Path DOC = Path.of("../docs/ingress-nginx.md");
  private static final Path CASES = Path.of("src/test/resources/translate");
  private static final boolean UPDATE = Boolean.getBoolean("gatehouse.golden.update");
  private static final String BEGIN = "<!-- annotation-table:begin -->";
  private static final String END = "<!-- annotation-table:end -->";

  /**
   * Served entries whose model cannot differ with and without them, each for a reason that keeps it
   * closed: the value is served as Gatehouse's one behaviour, which is the stricter one. For these
   * the audit asserts the opposite (the model is the same: nothing is loosened) and the note must
   * say what is served instead.
   */
  private static final Map<String, String> SERVED_STRICTER =
      Map.of(
          "satisfy", "any is served as all: every access rule must still pass",
          "enable-global-auth", "false exempts nothing unless the ConfigMap sets global auth",
          "affinity-mode", "balanced is served as persistent, the stickier mode",
          "affinity-canary-behavior", "sticky is served as legacy: the canary is drawn per request",
          "proxy-ssl-protocols",
              "a list with TLSv1.2 is served as TLSv1.2 and TLSv1.3, never an older protocol",
          "proxy-ssl-ciphers", "DEFAULT is the JDK's default suites, which Gatehouse offers",
          "proxy-ssl-verify-depth",
              "without verification it has no effect (as in ingress-nginx); with it, refused");

  static Stream<NginxAnnotation> entries() {
    return NginxCatalogue.ALL.stream();
  }

  private static IngressAnnotations parse(Map<String, String> sample) {
    Map<String, String> keys = new TreeMap<>();
    sample.forEach((k, v) -> keys.put(IngressAnnotations.NGINX + k, v));
    return IngressAnnotations.parse(REF, keys);
  }

  /** The parsed model without its problems: what the audit compares. */
  private static Map<String, Object> model(IngressAnnotations a)
      throws ReflectiveOperationException {
    Map<String, Object> m = new HashMap<>();
    for (RecordComponent c : IngressAnnotations.class.getRecordComponents()) {
      if (!c.getName().equals("problems")) {
        m.put(c.getName(), c.getAccessor().invoke(a));
      }
    }
    return m;
  }

  private static List<String> ignoredProblems(IngressAnnotations a, String name) {
    List<String> out = new ArrayList<>();
    for (IngressProblem p : a.problems()) {
      if (p.message().contains(IngressAnnotations.NGINX + name + ":")
          && p.message().contains("ignored")) {
        out.add(p.message());
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void each_entry_is_held_to_its_outcome(NginxAnnotation entry)
      throws ReflectiveOperationException {
    IngressAnnotations with = parse(entry.sample());
    if (entry.outcome() == Outcome.REFUSED) {
      assertThat(with.refused())
          .as("%s is REFUSED: its sample refuses the Ingress", entry)
          .isTrue();
      return;
    }
    assertThat(with.refused())
        .as("%s is served: its sample must not refuse (%s)", entry.name(), with.problems())
        .isFalse();
    assertThat(ignoredProblems(with, entry.name()))
        .as("%s is served: no problem may say it is ignored", entry.name())
        .isEmpty();
    Map<String, String> without = new TreeMap<>(entry.sample());
    without.remove(entry.name());
    if (SERVED_STRICTER.containsKey(entry.name())) {
      assertThat(entry.outcome()).isEqualTo(Outcome.DIFFERENT);
      assertThat(model(with)).isEqualTo(model(parse(without)));
    } else if (entry.effect() != Effect.OTHER) {
      assertThat(model(with))
          .as(
              "%s changes %s: its sample parses differently without it",
              entry.name(), entry.effect())
          .isNotEqualTo(model(parse(without)));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "configuration-snippet",
        "server-snippet",
        "auth-snippet",
        "stream-snippet",
        "modsecurity-snippet",
        "some-new-snippet",
        "auth-something-new",
        "other-source-range"
      })
  void snippets_and_unknown_access_keys_refuse(String name) {
    assertThat(parse(Map.of(name, "x")).refused()).as(name).isTrue();
  }

  @Test
  void at_least_a_hundred_annotations_are_served() {
    assertThat(
            NginxCatalogue.with(Outcome.SAME).size()
                + NginxCatalogue.with(Outcome.DIFFERENT).size())
        .isGreaterThanOrEqualTo(100);
  }

  /** The table of {@code docs/ingress-nginx.md}, rendered from the catalogue. */
  static String table() {
    StringBuilder b = new StringBuilder();
    b.append(BEGIN).append("\n");
    b.append(
        String.format(
            "%d annotations: %d mapped, %d mapped with a difference, %d refused.%n%n",
            NginxCatalogue.ALL.size(),
            NginxCatalogue.with(Outcome.SAME).size(),
            NginxCatalogue.with(Outcome.DIFFERENT).size(),
            NginxCatalogue.with(Outcome.REFUSED).size()));
    b.append("| family | annotation | outcome | note |\n");
    b.append("| --- | --- | --- | --- |\n");
    for (NginxAnnotation a : NginxCatalogue.ALL) {
      b.append("| ")
          .append(a.family())
          .append(" | `")
          .append(a.name())
          .append("` | ")
          .append(a.outcome().label())
          .append(" | ")
          .append(a.note().replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
    }
    b.append(END);
    return b.toString();
  }

  @Test
  void the_docs_table_is_generated_from_the_catalogue() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("%s holds %s", DOC, BEGIN).isNotNegative();
    assertThat(end).as("%s holds %s", DOC, END).isGreaterThan(begin);
    String expected = doc.substring(0, begin) + table() + doc.substring(end + END.length());
    if (UPDATE) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
      doc = expected;
    }
    assertThat(doc)
        .as("the table in %s (regenerate with -Dgatehouse.golden.update=true)", DOC)
        .isEqualTo(expected);
  }

  /** The annotation names each golden case's {@code in.yaml} carries. */
  private static Set<String> annotationsInGoldenCases() throws IOException {
    Set<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.walk(CASES)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("in.yaml")).toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          int at = line.indexOf(IngressAnnotations.NGINX);
          if (at >= 0) {
            String rest = line.substring(at + IngressAnnotations.NGINX.length());
            int colon = rest.indexOf(':');
            seen.add((colon < 0 ? rest : rest.substring(0, colon)).replace("\"", "").trim());
          }
        }
      }
    }
    return seen;
  }

  private static Map<String, List<String>> missingByFamily(Set<String> families)
      throws IOException {
    Set<String> seen = annotationsInGoldenCases();
    Map<String, List<String>> missing = new TreeMap<>();
    for (NginxAnnotation a : NginxCatalogue.ALL) {
      if ((families.isEmpty() || families.contains(a.family())) && !seen.contains(a.name())) {
        missing.computeIfAbsent(a.family(), f -> new ArrayList<>()).add(a.name());
      }
    }
    return missing;
  }

  @Test
  void the_resilience_and_access_entries_have_a_golden_case() throws IOException {
    Set<String> families = new TreeSet<>();
    for (NginxAnnotation a : ResilienceAnnotations.CATALOGUE) {
      families.add(a.family());
    }
    for (NginxAnnotation a : AccessAnnotations.CATALOGUE) {
      families.add(a.family());
    }
    families.remove("Proxy"); // shared with the proxy and hosts helpers' entries
    assertThat(missingByFamily(families)).isEmpty();
  }

  @Test
  void every_entry_has_a_golden_case() throws IOException {
    assertThat(missingByFamily(Set.of())).isEmpty();
  }
}
