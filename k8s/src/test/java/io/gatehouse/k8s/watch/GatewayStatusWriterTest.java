package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.gateway.GatewayCondition;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shapes the writer builds, without a server (GatewayWatcherIT writes them for real). */
class GatewayStatusWriterTest {
  private static final String THEN = "2026-01-01T00:00:00Z";
  private static final String NOW = "2026-12-06T10:00:00Z";

  private static Map<String, Object> stored(
      String type, String status, String reason, String message, long generation) {
    return Map.of(
        "type", type,
        "status", status,
        "reason", reason,
        "message", message,
        "observedGeneration", generation,
        "lastTransitionTime", THEN);
  }

  @Test
  void a_condition_keeps_its_time_while_its_status_is_unchanged_as_meta_set_status_condition() {
    List<Object> before =
        List.of(
            stored("Accepted", "True", "Accepted", "ok", 1),
            stored("ResolvedRefs", "True", "ResolvedRefs", "ok", 1),
            stored("Programmed", "True", "Programmed", "ok", 1));
    List<Object> after =
        GatewayStatusWriter.conditions(
            before,
            List.of(
                GatewayCondition.yes("Accepted", "Accepted", "ok", 1),
                // a new generation or message is no transition: the status is the same
                GatewayCondition.yes("ResolvedRefs", "ResolvedRefs", "still ok", 2),
                GatewayCondition.no("Programmed", "Invalid", "now not", 2),
                GatewayCondition.no("Conflicted", "NoConflicts", "new", 2)),
            NOW);
    assertThat(after)
        .extracting(c -> GatewayStatusWriter.map(c).get("lastTransitionTime"))
        .containsExactly(THEN, THEN, NOW, NOW);
    assertThat(GatewayStatusWriter.map(after.get(1)))
        .containsEntry("message", "still ok")
        .containsEntry("observedGeneration", 2L);
    assertThat(GatewayStatusWriter.map(after.get(2)))
        .containsOnlyKeys(
            "type", "status", "reason", "message", "observedGeneration", "lastTransitionTime")
        .containsEntry("status", "False")
        .containsEntry("observedGeneration", 2L);
  }

  @Test
  void conditions_of_types_another_controller_set_are_kept_as_they_are() {
    Map<String, Object> foreign = stored("example.com/Stale", "True", "Set", "by someone else", 0);
    List<Object> after =
        GatewayStatusWriter.conditions(
            List.of(stored("Accepted", "False", "Pending", "", 0), foreign),
            List.of(GatewayCondition.yes("Accepted", "Accepted", "ok", 1)),
            NOW);
    assertThat(after).hasSize(2);
    assertThat(GatewayStatusWriter.map(after.get(0)))
        .containsEntry("type", "Accepted")
        .containsEntry("lastTransitionTime", NOW);
    assertThat(after.get(1)).isEqualTo(foreign);
  }

  @Test
  void insecure_frontend_validation_mode_is_removed_once_no_port_allows_insecure_fallback() {
    Map<String, Object> insecure =
        stored("InsecureFrontendValidationMode", "True", "ConfigurationChanged", "fallback", 1);
    List<Object> after =
        GatewayStatusWriter.conditions(
            List.of(stored("Accepted", "True", "Accepted", "ok", 1), insecure),
            List.of(GatewayCondition.yes("Accepted", "Accepted", "ok", 2)),
            NOW);
    assertThat(after)
        .extracting(c -> GatewayStatusWriter.map(c).get("type"))
        .containsExactly("Accepted");
  }

  @Test
  void a_parent_ref_is_written_with_the_crd_defaults_and_only_the_fields_given() {
    assertThat(GatewayStatusWriter.parentRef(new ParentRef(null, null, null, "gw", null, null)))
        .containsExactly(
            Map.entry("group", "gateway.networking.k8s.io"),
            Map.entry("kind", "Gateway"),
            Map.entry("name", "gw"));
    assertThat(
            GatewayStatusWriter.parentRef(
                new ParentRef(
                    "gateway.networking.k8s.io", "ListenerSet", "infra", "ls", "https", 443)))
        .containsEntry("kind", "ListenerSet")
        .containsEntry("namespace", "infra")
        .containsEntry("sectionName", "https")
        .containsEntry("port", 443L);
  }
}
