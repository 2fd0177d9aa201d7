package io.gatehouse.k8s.translate.gateway;

/** The Gateway API kinds Gatehouse reads, with what the watcher needs to list and watch them. */
public enum GatewayKind {
  GATEWAY_CLASS("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false),
  GATEWAY("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true),
  HTTP_ROUTE("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true),
  GRPC_ROUTE("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", true),
  TLS_ROUTE("gateway.networking.k8s.io", "v1", "tlsroutes", "TLSRoute", true),
  REFERENCE_GRANT("gateway.networking.k8s.io", "v1", "referencegrants", "ReferenceGrant", true),
  LISTENER_SET("gateway.networking.k8s.io", "v1", "listenersets", "ListenerSet", true),
  BACKEND_TLS_POLICY(
      "gateway.networking.k8s.io", "v1", "backendtlspolicies", "BackendTLSPolicy", true);

  public static final String GROUP = "gateway.networking.k8s.io";

  private final String group;
  private final String version;
  private final String plural;
  private final String kind;
  private final boolean namespaced;

  GatewayKind(String group, String version, String plural, String kind, boolean namespaced) {
    this.group = group;
    this.version = version;
    this.plural = plural;
    this.kind = kind;
    this.namespaced = namespaced;
  }

  public String group() {
    return group;
  }

  /** The version listed and watched (the served storage version of the upstream CRDs). */
  public String version() {
    return version;
  }

  public String plural() {
    return plural;
  }

  /** The {@code kind} as written in objects and references. */
  public String kind() {
    return kind;
  }

  public boolean namespaced() {
    return namespaced;
  }
}
