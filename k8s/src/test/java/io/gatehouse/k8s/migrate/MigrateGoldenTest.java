package io.gatehouse.k8s.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.k8s.migrate.MigrationReport.IngressEntry;
import io.gatehouse.k8s.migrate.MigrationReport.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The report on the folder of realistic manifests ({@code migrate/manifests}, one chart pattern a
 * file): pinned as text and JSON ({@code migrate/report.txt}, {@code report.json}; regenerate with
 * {@code -Dgatehouse.golden.update=true} and review the diff). The catalogue's outcomes still move,
 * so the structure and a few lines that do not depend on them are checked on their own too.
 */
class MigrateGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/migrate");
  private static final Path MANIFESTS = DIR.resolve("manifests");
  private static final boolean UPDATE = Boolean.getBoolean("gatehouse.golden.update");
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

  private static MigrationReport report;

  @BeforeAll
  static void read() throws MigrateException {
    MigrationInput input = ManifestFiles.read(List.of(MANIFESTS), "default", null);
    report = new Migrator(CLOCK).report(input, List.of());
  }

  @Test
  void text_report_matches_the_golden_file() throws IOException {
    golden("report.txt", ReportWriter.text(report));
  }

  @Test
  void json_report_matches_the_golden_file() throws IOException {
    golden("report.json", ReportWriter.json(report));
  }

  private static void golden(String name, String actual) throws IOException {
    Path file = DIR.resolve(name);
    if (UPDATE) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(file).as(name + " exists (run with -Dgatehouse.golden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void at_least_fifty_manifests_each_naming_the_pattern_it_follows() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(MANIFESTS)) {
      files = s.sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(50);
    for (Path f : files) {
      assertThat(Files.readString(f)).as(f.toString()).startsWith("# Pattern: ");
    }
    // every Ingress of the folder is reported or skipped, none twice
    assertThat(report.ingresses().size() + report.skipped().size()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void summary_counts_what_the_entries_say() {
    MigrationReport.Summary s = report.summary();
    assertThat(s.ingresses()).isEqualTo(report.ingresses().size());
    assertThat(s.same() + s.different() + s.partial() + s.notServed()).isEqualTo(s.ingresses());
    assertThat(s.served())
        .isEqualTo(report.ingresses().stream().filter(IngressEntry::served).count());
    assertThat(s.annotations().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(report.ingresses().stream().mapToInt(e -> e.annotations().size()).sum());
    // the folder holds snippets, so something is not served: the CI's code says so
    assertThat(s.notServed()).isPositive();
    assertThat(s.exitCode()).isEqualTo(MigrationReport.EXIT_NOT_SERVED);
  }

  @Test
  void lines_that_do_not_depend_on_the_catalogue() {
    String text = ReportWriter.text(report);
    assertThat(text)
        .startsWith(
            "Gatehouse migration report: ingress-nginx Ingresses from files " + MANIFESTS + "\n")
        .contains(
            "note: left out (not read by the translator): 1 Deployment, 1 Ingress of"
                + " extensions/v1beta1\n")
        .contains(
            "note: no Service was given: backends are not checked (missing Services and ports"
                + " are not reported)\n")
        .contains(
            "note: no Secret was given: TLS Secrets are not checked; an Ingress whose access"
                + " control names a Secret is reported not served, as Gatehouse refuses it without"
                + " one (add the Secrets, whose data is never printed, or read the cluster)\n")
        .contains(
            "Ingress uploads/uploads: served without some of its settings ("
                + MANIFESTS.resolve("typo-annotation.yaml")
                + ")\n")
        .contains(
            "Ingress nextcloud/nextcloud: not served ("
                + MANIFESTS.resolve("nextcloud.yaml")
                + ")\n")
        .contains("  refused   server-snippet: ")
        .contains(
            "  ignored   proxy-body-sise: ingress-nginx documents no such annotation either (a"
                + " misspelling, or one it dropped): it had no effect there and has none here\n")
        .contains(
            "Skipped (another controller's class):\n  traefik/traefik-dashboard (class traefik)\n")
        .contains("Ingress default/whoami: served identically (")
        .contains("Ingress monitoring/grafana: served identically (")
        .contains("Exit code: 2 (something is not served)\n");
  }

  @Test
  void canary_ingresses_are_served_by_joining_their_primary() {
    assertThat(entry("checkout", "checkout-canary").served()).isTrue();
    assertThat(entry("search", "search-canary").served()).isTrue();
    assertThat(entry("checkout", "checkout-canary").annotations())
        .filteredOn(a -> a.name().equals("canary-weight"))
        .extracting(MigrationReport.AnnotationEntry::status)
        .containsExactly(Status.SAME);
  }

  @Test
  void a_list_of_ingresses_is_read_item_by_item() {
    assertThat(entry("intranet", "wiki").origin()).endsWith("intranet-list.yaml");
    assertThat(entry("intranet", "intranet-home").origin()).endsWith("intranet-list.yaml");
  }

  @Test
  void json_has_the_documented_fields() throws IOException {
    JsonNode root = new ObjectMapper().readTree(ReportWriter.json(report));
    assertThat(root.get("schema").asText()).isEqualTo(ReportWriter.SCHEMA);
    assertThat(root.fieldNames())
        .toIterable()
        .containsExactly(
            "schema", "source", "notes", "ingresses", "skipped", "configMap", "summary");
    JsonNode first = root.get("ingresses").get(0);
    assertThat(first.fieldNames())
        .toIterable()
        .containsExactly(
            "namespace", "name", "origin", "served", "verdict", "annotations", "problems");
    assertThat(root.get("summary").fieldNames())
        .toIterable()
        .containsExactly(
            "ingresses",
            "served",
            "same",
            "different",
            "partial",
            "notServed",
            "skipped",
            "annotations",
            "configMapKeys",
            "exitCode");
    assertThat(root.get("summary").get("annotations").fieldNames())
        .toIterable()
        .containsExactly("same", "different", "refused", "ignored");
    for (JsonNode i : root.get("ingresses")) {
      assertThat(i.get("verdict").asText()).isIn("same", "different", "partial", "not-served");
      for (JsonNode a : i.get("annotations")) {
        assertThat(a.fieldNames())
            .toIterable()
            .containsExactly("name", "family", "status", "effect", "note", "problems");
        assertThat(a.get("status").asText()).isIn("same", "different", "refused", "ignored");
      }
    }
  }

  private static IngressEntry entry(String namespace, String name) {
    return report.ingresses().stream()
        .filter(e -> e.namespace().equals(namespace) && e.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(namespace + "/" + name + " not reported"));
  }
}
