package io.gatehouse.k8s.migrate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Gatehouse would do with a set of ingress-nginx Ingresses: one entry per Ingress and per
 * annotation, the controller ConfigMap's keys, and a summary with the exit code a CI reads.
 *
 * @param source where the objects came from (files, or {@code kubeconfig context})
 * @param notes facts about the input that change how to read the report (no Services given...)
 * @param skipped Ingresses of classes ingress-nginx would not serve either
 * @param configMap the controller ConfigMap's keys; null when none was given
 */
public record MigrationReport(
    String source,
    List<String> notes,
    List<IngressEntry> ingresses,
    List<Skipped> skipped,
    @Nullable ConfigMapEntry configMap,
    Summary summary) {

  /** The exit codes, ordered: the report's code is the worst it met. */
  public static final int EXIT_SAME = 0;

  public static final int EXIT_DIFFERENT = 1;
  public static final int EXIT_NOT_SERVED = 2;
  public static final int EXIT_USAGE = 64;
  public static final int EXIT_UNREADABLE = 70;

  public MigrationReport {
    notes = List.copyOf(notes);
    ingresses = List.copyOf(ingresses);
    skipped = List.copyOf(skipped);
  }

  /** How something is served, from best to worst; {@link #exitCode} is the CI's reading. */
  public enum Verdict {
    SAME("served identically", EXIT_SAME),
    DIFFERENT("served differently", EXIT_DIFFERENT),
    /** Served, but an annotation of it is not (ignored): a setting is lost. */
    PARTIAL("served without some of its settings", EXIT_NOT_SERVED),
    NOT_SERVED("not served", EXIT_NOT_SERVED);

    private final String label;
    private final int exitCode;

    Verdict(String label, int exitCode) {
      this.label = label;
      this.exitCode = exitCode;
    }

    public String label() {
      return label;
    }

    public int exitCode() {
      return exitCode;
    }

    /** The worse of the two. */
    public Verdict worst(Verdict other) {
      return other.ordinal() > ordinal() ? other : this;
    }
  }

  /** What one annotation gets; {@link #verdict} maps it onto the three verdicts. */
  public enum Status {
    /** Served as ingress-nginx documents it. */
    SAME,
    /** Served with a documented difference, or its value met a problem the note names. */
    DIFFERENT,
    /** The Ingress is refused because of it. */
    REFUSED,
    /** Not served and not refused: unknown to Gatehouse, or its value is ignored. */
    IGNORED;

    public Verdict verdict() {
      return switch (this) {
        case SAME -> Verdict.SAME;
        case DIFFERENT -> Verdict.DIFFERENT;
        case REFUSED, IGNORED -> Verdict.PARTIAL;
      };
    }

    /** The JSON and text spelling: lower case. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One Ingress.
   *
   * @param origin the file it was read from; null when read from a cluster
   * @param served whether Gatehouse would serve it at all (a canary: joined to its primary)
   * @param verdict {@code NOT_SERVED} when it is not served, else the worst of its annotations and
   *     problems
   * @param problems what the translator reports about it beyond its annotations (path conflicts,
   *     missing Services or Secrets, refused canaries...): each a Warning event on the Ingress
   */
  public record IngressEntry(
      String namespace,
      String name,
      @Nullable String origin,
      boolean served,
      Verdict verdict,
      List<AnnotationEntry> annotations,
      List<Problem> problems) {
    public IngressEntry {
      annotations = List.copyOf(annotations);
      problems = List.copyOf(problems);
    }
  }

  /**
   * One {@code nginx.ingress.kubernetes.io/} annotation of an Ingress.
   *
   * @param name without the prefix
   * @param family ingress-nginx's group; empty when unknown
   * @param effect SECURITY, ROUTING or OTHER; empty when unknown
   * @param note the catalogue's note (the difference, or the reason it is refused), or why it is
   *     ignored
   * @param problems the translator's messages about this annotation on this Ingress
   */
  public record AnnotationEntry(
      String name,
      String family,
      Status status,
      String effect,
      String note,
      List<String> problems) {
    public AnnotationEntry {
      problems = List.copyOf(problems);
    }
  }

  /** A Warning event the controller would write: UpperCamelCase reason and message. */
  public record Problem(String reason, String message) {}

  /** An Ingress left out: another controller's class. */
  public record Skipped(String namespace, String name, String ingressClass) {}

  /** The controller ConfigMap. */
  public record ConfigMapEntry(String namespace, String name, List<KeyEntry> keys) {
    public ConfigMapEntry {
      keys = List.copyOf(keys);
    }
  }

  /** One key of the controller ConfigMap, with the same statuses as an annotation. */
  public record KeyEntry(String key, Status status, String note) {}

  /**
   * Counts and the exit code.
   *
   * @param same Ingresses served identically
   * @param different Ingresses served, with a difference
   * @param partial Ingresses served without some of their settings (an annotation ignored)
   * @param notServed Ingresses not served at all
   * @param annotations per {@link Status} label, the annotations (and ConfigMap keys) met
   */
  public record Summary(
      int ingresses,
      int served,
      int same,
      int different,
      int partial,
      int notServed,
      int skipped,
      Map<String, Integer> annotations,
      Map<String, Integer> configMapKeys,
      int exitCode) {
    public Summary {
      annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
      configMapKeys = Collections.unmodifiableMap(new LinkedHashMap<>(configMapKeys));
    }
  }
}
