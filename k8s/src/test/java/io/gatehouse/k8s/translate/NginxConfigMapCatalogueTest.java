package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.NginxAnnotation.Effect;
import io.gatehouse.k8s.translate.NginxAnnotation.Outcome;
import io.gatehouse.k8s.translate.NginxConfigKey.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The controller ConfigMap's catalogue: its docs table is generated from it, and no key that
 * changes security or routing is dropped without the note saying why (the ConfigMap's fail-open
 * audit).
 */
class NginxConfigMapCatalogueTest {
  private static final Path DOCS = Path.of("../docs/ingress-nginx.md");
  private static final Path CASES = Path.of("src/test/resources/translate");
  private static final String BEGIN = "<!-- configmap-table:begin -->";
  private static final String END = "<!-- configmap-table:end -->";
  private static final boolean UPDATE = Boolean.getBoolean("gatehouse.golden.update");
  private static final IngressRef CM = new IngressRef("ingress-nginx", "ingress-nginx-controller");

  /**
   * The security and routing keys that leave the translation as it is: in each, the note says
   * Gatehouse's own behaviour is the stricter one, or the key only works with a refused one; {@code
   * ssl-protocols} and {@code ssl-ciphers} are honoured when the node offers a subset of the list
   * (and refuse otherwise); {@code http-redirect-code}: Gatehouse's 308 is as permanent as 301 and
   * keeps the method. A new one is a decision.
   */
  private static final Set<String> SECURITY_NOT_READ =
      Set.of(
          "http-redirect-code",
          "ssl-protocols",
          "ssl-ciphers",
          "use-forwarded-headers",
          "compute-full-forwarded-for",
          "forwarded-for-header",
          "proxy-real-ip-cidr",
          "enable-real-ip",
          "use-proxy-protocol",
          "enable-underscores-in-headers",
          "ignore-invalid-headers",
          "client-header-timeout",
          "allow-snippet-annotations",
          "annotation-value-word-blocklist",
          "global-auth-method",
          "global-auth-signin",
          "global-auth-response-headers");

  /** The companions a sample needs to have its effect. */
  private static final Map<String, Map<String, String>> COMPANIONS =
      Map.of("hsts-preload", Map.of("hsts-max-age", "31536000"));

  private static Map<String, String> sample(NginxConfigKey k) {
    Map<String, String> m = new java.util.HashMap<>(COMPANIONS.getOrDefault(k.name(), Map.of()));
    m.put(k.name(), k.sample());
    return m;
  }

  private static Map<String, String> withoutKey(NginxConfigKey k) {
    return COMPANIONS.getOrDefault(k.name(), Map.of());
  }

  static Stream<NginxConfigKey> entries() {
    return NginxConfigMapCatalogue.ALL.stream();
  }

  @Test
  void the_docs_table_is_generated_from_the_catalogue() throws IOException {
    String doc = Files.readString(DOCS);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("markers in %s", DOCS).isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String expected =
        doc.substring(0, begin + BEGIN.length()) + "\n" + table() + doc.substring(end);
    if (UPDATE) {
      Files.writeString(DOCS, expected, StandardCharsets.UTF_8);
    }
    assertThat(doc).as("run with -Dgatehouse.golden.update=true").isEqualTo(expected);
  }

  static String table() {
    StringBuilder b = new StringBuilder();
    Map<Outcome, Long> counts =
        NginxConfigMapCatalogue.ALL.stream()
            .collect(Collectors.groupingBy(NginxConfigKey::outcome, Collectors.counting()));
    b.append(NginxConfigMapCatalogue.ALL.size()).append(" keys: ");
    List<String> parts = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      parts.add(counts.getOrDefault(o, 0L) + " " + o.label());
    }
    b.append(String.join(", ", parts)).append(".\n\n");
    b.append("| Key | Takes effect | Asks nothing | Outcome | Effect | Note |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (NginxConfigKey k : NginxConfigMapCatalogue.ALL) {
      b.append("| `")
          .append(k.name())
          .append("` | ")
          .append(applies(k))
          .append(" | ")
          .append(k.inert().isEmpty() ? "(empty)" : "`" + cell(k.inert()) + "`")
          .append(" | ")
          .append(k.outcome().label())
          .append(" | ")
          .append(k.effect().name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ")
          .append(cell(k.note()))
          .append(" |\n");
    }
    return b.toString();
  }

  /** When a key takes effect: live (next translation), or never (the node's, or not read). */
  private static String applies(NginxConfigKey k) {
    if (k.scope() == Scope.NODE) {
      return "node setting, not read";
    }
    if (k.outcome() == Outcome.REFUSED) {
      return "live: refuses";
    }
    return ControllerConfigMap.APPLIED.contains(k.name()) ? "live" : "not read";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void each_sample_asks_for_something_and_has_its_outcome(NginxConfigKey k) {
    assertThat(k.inert(k.sample()))
        .as("the sample of %s must ask for something", k.name())
        .isFalse();
    ControllerConfigMap none = ControllerConfigMap.read(CM, withoutKey(k));
    ControllerConfigMap with = ControllerConfigMap.read(CM, sample(k));
    assertThat(with.findings())
        .as("%s is known", k.name())
        .noneMatch(p -> p.reason().equals("UnknownConfigKey"));
    boolean refused = with.refusals().stream().anyMatch(r -> r.key().equals(k.name()));
    boolean reported =
        with.findings().stream().anyMatch(p -> p.message().startsWith(k.name() + ":"));
    boolean applied = !withoutFindings(with).equals(withoutFindings(none));
    switch (k.outcome()) {
      case REFUSED -> assertThat(refused).as("%s refuses", k.name()).isTrue();
      case SAME -> {
        assertThat(applied).as("%s changes the defaults", k.name()).isTrue();
        assertThat(reported).as("%s applied silently", k.name()).isFalse();
      }
      case DIFFERENT -> {
        assertThat(refused).isFalse();
        // applied with its documented difference, or not read and said so
        assertThat(applied || reported).as("%s applied or reported", k.name()).isTrue();
        if (k.effect() != Effect.OTHER && !applied) {
          assertThat(SECURITY_NOT_READ)
              .as("%s: a security key not read", k.name())
              .contains(k.name());
        }
      }
    }
    if (k.scope() == Scope.NODE) {
      assertThat(applied).as("a node key never changes the translation").isFalse();
      assertThat(reported).isTrue();
    }
  }

  @Test
  void security_keys_not_read_are_exactly_the_listed_ones() {
    Set<String> notRead = new TreeSet<>();
    for (NginxConfigKey k : NginxConfigMapCatalogue.ALL) {
      if (k.effect() == Effect.OTHER || k.outcome() != Outcome.DIFFERENT) {
        continue;
      }
      ControllerConfigMap none = ControllerConfigMap.read(CM, withoutKey(k));
      ControllerConfigMap with = ControllerConfigMap.read(CM, sample(k));
      if (withoutFindings(with).equals(withoutFindings(none))) {
        notRead.add(k.name());
      }
    }
    assertThat(notRead).isEqualTo(new TreeSet<>(SECURITY_NOT_READ));
  }

  @Test
  void every_key_is_in_a_golden_case() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> dirs = Files.list(CASES)) {
      for (Path d :
          dirs.filter(p -> p.getFileName().toString().startsWith("controller-configmap"))
              .toList()) {
        all.append(Files.readString(d.resolve("in.yaml")));
      }
    }
    List<String> missing = new ArrayList<>();
    for (NginxConfigKey k : NginxConfigMapCatalogue.ALL) {
      if (!all.toString().contains("\n  " + k.name() + ":")) {
        missing.add(k.name());
      }
    }
    assertThat(missing).isEmpty();
  }

  /** The record with no findings, to compare what a key changes. */
  private static ControllerConfigMap withoutFindings(ControllerConfigMap c) {
    return new ControllerConfigMap(
        c.ref(),
        c.maxBodyBytes(),
        c.connect(),
        c.read(),
        c.sslRedirect(),
        c.hsts(),
        c.allow(),
        c.deny(),
        c.block(),
        c.refusals(),
        List.of());
  }
}
