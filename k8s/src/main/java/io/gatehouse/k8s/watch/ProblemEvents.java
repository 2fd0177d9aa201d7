package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Reports every problem as a Warning event (core/v1) on its Ingress, once, and every problem of
 * ingress-nginx's controller ConfigMap on that ConfigMap. The event's name is derived from the
 * Ingress's uid, reason and message, so a second replica, a new leader or a restart that reports
 * the same problem gets 409 AlreadyExists and adds nothing. Only the leader writes.
 */
public final class ProblemEvents implements TranslationSink {
  static final String COMPONENT = "gatehouse";

  private final CoreV1Api core;
  private final BooleanSupplier leader;
  private final String instance;
  private final Clock clock;
  private Set<IngressProblem> reported = new HashSet<>();
  private Set<IngressProblem> reportedOnConfigMap = new HashSet<>();

  public ProblemEvents(ApiClient client, BooleanSupplier leader, String instance, Clock clock) {
    this.core = new CoreV1Api(client);
    this.leader = leader;
    this.instance = instance;
    this.clock = clock;
  }

  @Override
  public boolean wanted() {
    if (!leader.getAsBoolean()) {
      // what a new leadership reports starts afresh, as in publish
      reported = new HashSet<>();
      reportedOnConfigMap = new HashSet<>();
      return false;
    }
    return true;
  }

  @Override
  public void publish(Translation t, ListedClusterState state) throws ApiException {
    if (!leader.getAsBoolean()) {
      reported = new HashSet<>();
      reportedOnConfigMap = new HashSet<>();
      return;
    }
    Set<IngressProblem> onConfigMap = new HashSet<>();
    for (IngressProblem p : t.controllerProblems()) {
      IngressRef ref = p.ingress();
      Optional<V1ConfigMap> cm = state.configMap(ref.namespace(), ref.name());
      if (cm.isEmpty()) {
        continue;
      }
      if (!reportedOnConfigMap.contains(p)) {
        V1ObjectMeta m = cm.get().getMetadata();
        emit(p, "v1", "ConfigMap", m.getUid(), m.getResourceVersion());
      }
      onConfigMap.add(p);
    }
    reportedOnConfigMap = onConfigMap;
    Set<IngressProblem> now = new HashSet<>();
    for (IngressProblem p : t.problems()) {
      Optional<V1Ingress> ingress = state.ingress(p.ingress());
      if (ingress.isEmpty()) {
        continue;
      }
      if (!reported.contains(p)) {
        V1ObjectMeta m = ingress.get().getMetadata();
        emit(p, "networking.k8s.io/v1", "Ingress", m.getUid(), m.getResourceVersion());
      }
      now.add(p);
    }
    // a problem that goes away and comes back is reported again
    reported = now;
  }

  /** A Warning event on the object {@code p} names (an Ingress, or the controller ConfigMap). */
  private void emit(
      IngressProblem p, String apiVersion, String kind, String uid, String resourceVersion)
      throws ApiException {
    IngressRef ref = p.ingress();
    OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    CoreV1Event event =
        new CoreV1Event()
            .metadata(new V1ObjectMeta().name(name(ref, uid, p)).namespace(ref.namespace()))
            .involvedObject(
                new V1ObjectReference()
                    .apiVersion(apiVersion)
                    .kind(kind)
                    .namespace(ref.namespace())
                    .name(ref.name())
                    .uid(uid)
                    .resourceVersion(resourceVersion))
            .type("Warning")
            .reason(p.reason())
            .message(p.message().length() > 1024 ? p.message().substring(0, 1024) : p.message())
            .source(new V1EventSource().component(COMPONENT))
            .reportingComponent(COMPONENT)
            .reportingInstance(instance)
            .firstTimestamp(at)
            .lastTimestamp(at)
            .count(1);
    try {
      core.createNamespacedEvent(ref.namespace(), event).execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  static String name(IngressRef ref, String uid, IngressProblem p) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((uid + "\n" + p.reason() + "\n" + p.message()).getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
      String base = ref.name().length() > 200 ? ref.name().substring(0, 200) : ref.name();
      return base + "." + hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
