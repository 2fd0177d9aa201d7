package io.gatehouse.k8s.translate.gateway;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The status this controller wants an object to carry, as the Gateway API defines it. The status
 * writer writes only what differs from the object's status, keeps {@code lastTransitionTime} of
 * unchanged conditions, and on routes touches only the {@code parents} entries whose {@code
 * controllerName} is ours (another controller's entries are left as they are).
 */
public sealed interface ObjectStatus {
  ObjectRef ref();

  /** {@code status.conditions} of a GatewayClass whose controller is ours. */
  record ClassStatus(ObjectRef ref, List<GatewayCondition> conditions) implements ObjectStatus {
    public ClassStatus {
      Objects.requireNonNull(ref, "ref");
      conditions = List.copyOf(conditions);
    }
  }

  /**
   * A Gateway's (or ListenerSet's) status.
   *
   * @param addresses {@code status.addresses}: each an {@code IPAddress} or {@code Hostname} value
   * @param attachedListenerSets a Gateway's {@code status.attachedListenerSets}: the ListenerSets
   *     attached and accepted; null (not written) for a ListenerSet, and for a Gateway whose {@code
   *     allowedListeners} admits none
   */
  record GatewayStatus(
      ObjectRef ref,
      List<Address> addresses,
      List<GatewayCondition> conditions,
      List<ListenerStatus> listeners,
      @Nullable Integer attachedListenerSets)
      implements ObjectStatus {
    public GatewayStatus {
      Objects.requireNonNull(ref, "ref");
      addresses = List.copyOf(addresses);
      conditions = List.copyOf(conditions);
      listeners = List.copyOf(listeners);
    }

    public GatewayStatus(
        ObjectRef ref,
        List<Address> addresses,
        List<GatewayCondition> conditions,
        List<ListenerStatus> listeners) {
      this(ref, addresses, conditions, listeners, null);
    }
  }

  /** One entry of {@code status.addresses}: type {@code IPAddress} or {@code Hostname}. */
  record Address(String type, String value) {
    public Address {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
    }
  }

  /** One entry of {@code status.listeners}. */
  record ListenerStatus(
      String name,
      List<RouteGroupKind> supportedKinds,
      int attachedRoutes,
      List<GatewayCondition> conditions) {
    public ListenerStatus {
      Objects.requireNonNull(name, "name");
      supportedKinds = List.copyOf(supportedKinds);
      conditions = List.copyOf(conditions);
    }
  }

  /** {@code {group, kind}} of a route kind a listener supports. */
  record RouteGroupKind(String group, String kind) {
    public RouteGroupKind {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * A route's (HTTPRoute, GRPCRoute, TLSRoute) {@code status.parents} entries of our controller:
   * one per parentRef that names a Gateway of ours. Entries of ours for parents no longer listed
   * are removed by the writer.
   */
  record RouteStatus(ObjectRef ref, List<RouteParentStatus> parents) implements ObjectStatus {
    public RouteStatus {
      Objects.requireNonNull(ref, "ref");
      parents = List.copyOf(parents);
    }
  }

  /**
   * A policy's (BackendTLSPolicy) {@code status.ancestors} entries of our controller: one per
   * Gateway of ours whose routes use a Service the policy targets ({@code parentRef} is the {@code
   * ancestorRef}). Other controllers' entries are left as they are; ours for ancestors no longer
   * listed are removed by the writer.
   */
  record PolicyStatus(ObjectRef ref, List<RouteParentStatus> ancestors) implements ObjectStatus {
    public PolicyStatus {
      Objects.requireNonNull(ref, "ref");
      ancestors = List.copyOf(ancestors);
    }
  }

  /** One {@code status.parents} entry: the parentRef as written, and its conditions. */
  record RouteParentStatus(ParentRef parentRef, List<GatewayCondition> conditions) {
    public RouteParentStatus {
      Objects.requireNonNull(parentRef, "parentRef");
      conditions = List.copyOf(conditions);
    }
  }

  /**
   * A route's {@code parentRef} as written: group and kind default to {@code
   * gateway.networking.k8s.io}/{@code Gateway}, namespace to the route's; null fields were not
   * written and stay unwritten in the status.
   */
  record ParentRef(
      @Nullable String group,
      @Nullable String kind,
      @Nullable String namespace,
      String name,
      @Nullable String sectionName,
      @Nullable Integer port) {
    public ParentRef {
      Objects.requireNonNull(name, "name");
    }
  }
}
