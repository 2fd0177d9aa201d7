package io.gatehouse.node;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayCondition;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslation;
import io.gatehouse.k8s.translate.gateway.ObjectStatus;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.k8s.watch.TranslationSink;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the last translation refused or warned about, for {@code /status}: the Ingress problems
 * reported as Warning events, the controller ConfigMap's, and the Gateway API objects whose status
 * conditions say not accepted, not resolved, not programmed or conflicted. Each keeps the time this
 * node first saw it; the newest {@link #LIMIT} are listed. It only watches: it never asks for a
 * translation, so a replica that does not translate (a shared table's non-leader) has none.
 */
final class KubernetesProblems implements TranslationSink {
  /** The most problems {@code /status} lists (newest first); {@code problemsTotal} counts all. */
  static final int LIMIT = 100;

  /** The longest message kept, as on the Warning events the controller writes. */
  static final int MESSAGE_LIMIT = 1024;

  /** One problem of one object, e.g. {@code HTTPRoute shop/web}. */
  record Problem(String kind, String object, String reason, String message) {
    Problem {
      message = message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT) : message;
    }
  }

  private record Seen(Problem problem, Instant since) {}

  private final Clock clock;
  private Map<Problem, Instant> since = new HashMap<>(); // the watcher's thread only
  private volatile List<Seen> newest = List.of();

  KubernetesProblems(Clock clock) {
    this.clock = clock;
  }

  @Override
  public boolean wanted() {
    return false; // an observer: its wish alone never makes the watcher translate
  }

  @Override
  public void publish(Translation t, ListedClusterState state) {
    record(of(t, GatewayTranslation.EMPTY));
  }

  @Override
  public void publish(Translations t, ListedClusterState state, GatewayState gateways) {
    record(of(t.ingress(), t.gateway()));
  }

  private void record(Set<Problem> now) {
    Instant at = clock.instant();
    Map<Problem, Instant> next = new HashMap<>();
    for (Problem p : now) {
      next.put(p, since.getOrDefault(p, at)); // one that went away and came back is new again
    }
    since = next;
    List<Seen> seen = new ArrayList<>();
    next.forEach((p, t) -> seen.add(new Seen(p, t)));
    seen.sort(
        Comparator.comparing(Seen::since)
            .reversed()
            .thenComparing(s -> s.problem().kind())
            .thenComparing(s -> s.problem().object())
            .thenComparing(s -> s.problem().reason()));
    newest = List.copyOf(seen);
  }

  /** Every problem of one translation. */
  static Set<Problem> of(Translation ingress, GatewayTranslation gateway) {
    Set<Problem> out = new LinkedHashSet<>();
    for (IngressProblem p : ingress.problems()) {
      out.add(new Problem("Ingress", p.ingress().toString(), p.reason(), p.message()));
    }
    for (IngressProblem p : ingress.controllerProblems()) {
      out.add(new Problem("ConfigMap", p.ingress().toString(), p.reason(), p.message()));
    }
    for (ObjectStatus s : gateway.statuses()) {
      String kind = s.ref().kind().kind();
      String object =
          s.ref().namespace().isEmpty()
              ? s.ref().name()
              : s.ref().namespace() + "/" + s.ref().name();
      if (s instanceof ObjectStatus.ClassStatus c) {
        bad(out, kind, object, c.conditions());
      } else if (s instanceof ObjectStatus.GatewayStatus g) {
        bad(out, kind, object, g.conditions());
        for (ObjectStatus.ListenerStatus l : g.listeners()) {
          bad(out, kind, object + " listener " + l.name(), l.conditions());
        }
      } else if (s instanceof ObjectStatus.RouteStatus r) {
        for (ObjectStatus.RouteParentStatus p : r.parents()) {
          ObjectStatus.ParentRef ref = p.parentRef();
          String parent =
              (ref.namespace() == null ? "" : ref.namespace() + "/")
                  + ref.name()
                  + (ref.sectionName() == null ? "" : " " + ref.sectionName());
          bad(out, kind, object + " parent " + parent, p.conditions());
        }
      }
    }
    return out;
  }

  /**
   * The conditions that say something is wrong: {@code Conflicted} true, the others false. A false
   * {@code Programmed} beside another bad condition only repeats it, and is left out.
   */
  private static void bad(
      Set<Problem> out, String kind, String object, List<GatewayCondition> conditions) {
    List<GatewayCondition> bad = new ArrayList<>();
    for (GatewayCondition c : conditions) {
      boolean conflicted = c.type().equals(GatewayCondition.CONFLICTED);
      if (c.status().equals(conflicted ? "True" : "False")) {
        bad.add(c);
      }
    }
    for (GatewayCondition c : bad) {
      if (!c.type().equals(GatewayCondition.PROGRAMMED) || bad.size() == 1) {
        out.add(new Problem(kind, object, c.reason(), c.message()));
      }
    }
  }

  /** For {@code /status}: {@code problems} (newest first, at most {@link #LIMIT}) and the total. */
  void addTo(JsonObject status) {
    List<Seen> all = newest;
    JsonArray out = new JsonArray();
    for (Seen s : all.subList(0, Math.min(LIMIT, all.size()))) {
      out.add(
          new JsonObject()
              .put("kind", s.problem().kind())
              .put("object", s.problem().object())
              .put("reason", s.problem().reason())
              .put("message", s.problem().message())
              .put("since", s.since().toString()));
    }
    status.put("problems", out).put("problemsTotal", all.size());
  }
}
