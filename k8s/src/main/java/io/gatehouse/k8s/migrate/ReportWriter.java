package io.gatehouse.k8s.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gatehouse.k8s.migrate.MigrationReport.AnnotationEntry;
import io.gatehouse.k8s.migrate.MigrationReport.IngressEntry;
import io.gatehouse.k8s.migrate.MigrationReport.KeyEntry;
import io.gatehouse.k8s.migrate.MigrationReport.Problem;
import io.gatehouse.k8s.migrate.MigrationReport.Skipped;
import io.gatehouse.k8s.migrate.MigrationReport.Summary;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link MigrationReport} as text for people or as JSON for tools. The JSON field names
 * are a contract ({@code docs/ingress-nginx.md}, "Migration report"): {@value #SCHEMA} changes only
 * when a field changes meaning or goes away.
 */
public final class ReportWriter {
  /** The JSON document's {@code schema}. */
  public static final String SCHEMA = "gatehouse.io/migration-report/v1";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /** The text report: one block per Ingress, then the ConfigMap, the summary and the exit code. */
  public static String text(MigrationReport r) {
    StringBuilder b = new StringBuilder();
    b.append("Gatehouse migration report: ingress-nginx Ingresses from ")
        .append(r.source())
        .append('\n');
    for (String note : r.notes()) {
      b.append("note: ").append(note).append('\n');
    }
    for (IngressEntry e : r.ingresses()) {
      b.append('\n')
          .append("Ingress ")
          .append(e.namespace())
          .append('/')
          .append(e.name())
          .append(": ")
          .append(e.verdict().label());
      if (e.origin() != null) {
        b.append(" (").append(e.origin()).append(')');
      }
      b.append('\n');
      for (AnnotationEntry a : e.annotations()) {
        b.append(String.format(Locale.ROOT, "  %-9s %s", a.status().label(), a.name()));
        if (!a.note().isEmpty()) {
          b.append(": ").append(a.note());
        }
        b.append('\n');
        for (String p : a.problems()) {
          b.append("              ").append(p).append('\n');
        }
      }
      for (Problem p : e.problems()) {
        b.append(String.format(Locale.ROOT, "  %-9s %s: %s%n", "problem", p.reason(), p.message()));
      }
    }
    if (!r.skipped().isEmpty()) {
      b.append('\n').append("Skipped (another controller's class):\n");
      for (Skipped s : r.skipped()) {
        b.append("  ")
            .append(s.namespace())
            .append('/')
            .append(s.name())
            .append(" (class ")
            .append(s.ingressClass())
            .append(")\n");
      }
    }
    if (r.configMap() != null) {
      b.append('\n')
          .append("ConfigMap ")
          .append(r.configMap().namespace())
          .append('/')
          .append(r.configMap().name())
          .append('\n');
      for (KeyEntry k : r.configMap().keys()) {
        b.append(String.format(Locale.ROOT, "  %-9s %s", k.status().label(), k.key()));
        if (!k.note().isEmpty()) {
          b.append(": ").append(k.note());
        }
        b.append('\n');
      }
    }
    Summary s = r.summary();
    b.append('\n')
        .append(
            String.format(
                Locale.ROOT,
                "Summary: %d Ingresses: %d served (%d identically, %d differently, %d without some"
                    + " of their settings), %d not served; %d skipped%n",
                s.ingresses(),
                s.served(),
                s.same(),
                s.different(),
                s.partial(),
                s.notServed(),
                s.skipped()))
        .append("Annotations: ")
        .append(counts(s.annotations()))
        .append('\n');
    if (r.configMap() != null) {
      b.append("ConfigMap keys: ").append(counts(s.configMapKeys())).append('\n');
    }
    b.append("Exit code: ").append(s.exitCode()).append(" (").append(meaning(s.exitCode()));
    b.append(")\n");
    return b.toString();
  }

  private static String counts(Map<String, Integer> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((k, v) -> parts.add(v + " " + k));
    return String.join(", ", parts);
  }

  /** What an exit code says. */
  public static String meaning(int code) {
    return switch (code) {
      case MigrationReport.EXIT_SAME -> "everything is served identically";
      case MigrationReport.EXIT_DIFFERENT -> "everything is served, some of it differently";
      case MigrationReport.EXIT_NOT_SERVED -> "something is not served";
      case MigrationReport.EXIT_USAGE -> "usage error";
      default -> "the input could not be read";
    };
  }

  /** The JSON report. */
  public static String json(MigrationReport r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("source", r.source());
    root.put("notes", r.notes());
    List<Object> ingresses = new ArrayList<>();
    for (IngressEntry e : r.ingresses()) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("namespace", e.namespace());
      i.put("name", e.name());
      i.put("origin", e.origin());
      i.put("served", e.served());
      i.put("verdict", e.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      List<Object> annotations = new ArrayList<>();
      for (AnnotationEntry a : e.annotations()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("family", a.family());
        m.put("status", a.status().label());
        m.put("effect", a.effect().toLowerCase(Locale.ROOT));
        m.put("note", a.note());
        m.put("problems", a.problems());
        annotations.add(m);
      }
      i.put("annotations", annotations);
      List<Object> problems = new ArrayList<>();
      for (Problem p : e.problems()) {
        problems.add(Map.of("reason", p.reason(), "message", p.message()));
      }
      i.put("problems", problems);
      ingresses.add(i);
    }
    root.put("ingresses", ingresses);
    List<Object> skipped = new ArrayList<>();
    for (Skipped s : r.skipped()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("namespace", s.namespace());
      m.put("name", s.name());
      m.put("ingressClass", s.ingressClass());
      skipped.add(m);
    }
    root.put("skipped", skipped);
    if (r.configMap() == null) {
      root.put("configMap", null);
    } else {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("namespace", r.configMap().namespace());
      cm.put("name", r.configMap().name());
      List<Object> keys = new ArrayList<>();
      for (KeyEntry k : r.configMap().keys()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", k.key());
        m.put("status", k.status().label());
        m.put("note", k.note());
        keys.add(m);
      }
      cm.put("keys", keys);
      root.put("configMap", cm);
    }
    Summary s = r.summary();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("ingresses", s.ingresses());
    summary.put("served", s.served());
    summary.put("same", s.same());
    summary.put("different", s.different());
    summary.put("partial", s.partial());
    summary.put("notServed", s.notServed());
    summary.put("skipped", s.skipped());
    summary.put("annotations", s.annotations());
    summary.put("configMapKeys", s.configMapKeys());
    summary.put("exitCode", s.exitCode());
    root.put("summary", summary);
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
