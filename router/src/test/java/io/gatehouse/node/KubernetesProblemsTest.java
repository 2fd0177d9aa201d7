package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayCondition;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslation;
import io.gatehouse.k8s.translate.gateway.ObjectRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.node.KubernetesProblems.Problem;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@code /status} lists as the Kubernetes objects' problems. */
class KubernetesProblemsTest {
  private static final IngressRef WEB = new IngressRef("shop", "web");
  private static final ListedClusterState STATE =
      new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());

  private static Translation ingress(List<IngressProblem> problems, List<IngressProblem> cm) {
    return new Translation(List.of(), List.of(), problems, Set.of(), Map.of(), Map.of(), cm);
  }

  private static GatewayTranslation gateway(ObjectStatus... statuses) {
    return new GatewayTranslation(List.of(), List.of(), List.of(statuses), Map.of(), Map.of());
  }

  @Test
  void ingress_and_controller_configmap_problems_are_listed_as_their_objects() {
    Set<Problem> problems =
        KubernetesProblems.of(
            ingress(
                List.of(new IngressProblem(WEB, "ServiceNotFound", "service \"web\" not found")),
                List.of(
                    new IngressProblem(
                        new IngressRef("ingress-nginx", "controller"),
                        "UnsupportedKey",
                        "key \"lua-shared-dicts\" is not supported"))),
            GatewayTranslation.EMPTY);
    assertThat(problems)
        .containsExactly(
            new Problem("Ingress", "shop/web", "ServiceNotFound", "service \"web\" not found"),
            new Problem(
                "ConfigMap",
                "ingress-nginx/controller",
                "UnsupportedKey",
                "key \"lua-shared-dicts\" is not supported"));
  }

  @Test
  void a_long_message_is_cut_as_on_the_event() {
    Set<Problem> problems =
        KubernetesProblems.of(
            ingress(List.of(new IngressProblem(WEB, "BadPath", "x".repeat(5000))), List.of()),
            GatewayTranslation.EMPTY);
    assertThat(problems.iterator().next().message()).hasSize(KubernetesProblems.MESSAGE_LIMIT);
  }

  @Test
  void gateway_api_conditions_that_are_false_or_conflicted_are_problems() {
    ObjectRef route = new ObjectRef(GatewayKind.HTTP_ROUTE, "shop", "web");
    ObjectRef gw = new ObjectRef(GatewayKind.GATEWAY, "infra", "edge");
    ObjectStatus routeStatus =
        new ObjectStatus.RouteStatus(
            route,
            List.of(
                new ObjectStatus.RouteParentStatus(
                    new ObjectStatus.ParentRef(null, null, "infra", "edge", "https", null),
                    List.of(
                        GatewayCondition.no(
                            GatewayCondition.ACCEPTED,
                            "NotAllowedByListeners",
                            "no listener accepts the route",
                            3),
                        GatewayCondition.yes(
                            GatewayCondition.RESOLVED_REFS, "ResolvedRefs", "resolved", 3)))));
    ObjectStatus gatewayStatus =
        new ObjectStatus.GatewayStatus(
            gw,
            List.of(),
            List.of(GatewayCondition.yes(GatewayCondition.ACCEPTED, "Accepted", "accepted", 1)),
            List.of(
                new ObjectStatus.ListenerStatus(
                    "https",
                    List.of(),
                    0,
                    List.of(
                        GatewayCondition.no(
                            GatewayCondition.RESOLVED_REFS,
                            "InvalidCertificateRef",
                            "secret \"tls\" not found",
                            1),
                        // repeats the condition above: left out
                        GatewayCondition.no(
                            GatewayCondition.PROGRAMMED, "Invalid", "not served", 1),
                        GatewayCondition.yes(
                            GatewayCondition.CONFLICTED,
                            "HostnameConflict",
                            "another listener has the hostname",
                            1))),
                new ObjectStatus.ListenerStatus(
                    "http",
                    List.of(),
                    1,
                    List.of(
                        GatewayCondition.no(
                            GatewayCondition.CONFLICTED, "NoConflicts", "no conflict", 1)))));
    Set<Problem> problems =
        KubernetesProblems.of(ingress(List.of(), List.of()), gateway(routeStatus, gatewayStatus));
    assertThat(problems)
        .containsExactly(
            new Problem(
                "HTTPRoute",
                "shop/web parent infra/edge https",
                "NotAllowedByListeners",
                "no listener accepts the route"),
            new Problem(
                "Gateway",
                "infra/edge listener https",
                "InvalidCertificateRef",
                "secret \"tls\" not found"),
            new Problem(
                "Gateway",
                "infra/edge listener https",
                "HostnameConflict",
                "another listener has the hostname"));
  }

  @Test
  void a_problem_keeps_its_first_seen_time_and_the_newest_100_are_listed() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
    KubernetesProblems sink = new KubernetesProblems(clock);
    List<IngressProblem> problems = new ArrayList<>();
    problems.add(new IngressProblem(WEB, "ServiceNotFound", "service \"web\" not found"));
    sink.publish(
        new Translations(ingress(problems, List.of()), GatewayTranslation.EMPTY),
        STATE,
        GatewayState.NONE);
    clock.advance(Duration.ofMinutes(1));
    for (int i = 0; i < 150; i++) {
      problems.add(new IngressProblem(new IngressRef("ns", "i" + i), "BadPath", "paths[0]"));
    }
    sink.publish(
        new Translations(ingress(problems, List.of()), GatewayTranslation.EMPTY),
        STATE,
        GatewayState.NONE);

    JsonObject status = new JsonObject();
    sink.addTo(status);
    assertThat(status.getInteger("problemsTotal")).isEqualTo(151);
    JsonArray listed = status.getJsonArray("problems");
    assertThat(listed).hasSize(KubernetesProblems.LIMIT);
    // the oldest problem (first seen a minute earlier) is the one cut
    assertThat(listed.stream().map(o -> ((JsonObject) o).getString("object")))
        .doesNotContain("shop/web");
    assertThat(listed.getJsonObject(0).getString("since")).isEqualTo("2026-12-07T00:01:00Z");

    // gone, then back: first seen again
    sink.publish(
        new Translations(ingress(List.of(), List.of()), GatewayTranslation.EMPTY),
        STATE,
        GatewayState.NONE);
    clock.advance(Duration.ofMinutes(1));
    sink.publish(
        new Translations(ingress(problems.subList(0, 1), List.of()), GatewayTranslation.EMPTY),
        STATE,
        GatewayState.NONE);
    JsonObject after = new JsonObject();
    sink.addTo(after);
    assertThat(after.getJsonArray("problems"))
        .containsExactly(
            new JsonObject()
                .put("kind", "Ingress")
                .put("object", "shop/web")
                .put("reason", "ServiceNotFound")
                .put("message", "service \"web\" not found")
                .put("since", "2026-12-07T00:02:00Z"));
    assertThat(sink.wanted()).as("an observer never asks for a translation").isFalse();
  }

  /** A clock the test moves. */
}
