/**
 * Gateway API translation: GatewayClass, Gateway, HTTPRoute, GRPCRoute, TLSRoute and ReferenceGrant
 * objects of the {@code gatehouse.io/gateway-controller} class into the same routes and
 * certificates as Ingresses (source {@code k8s}, tenant = namespace), and the status each object
 * should carry. Pure: objects arrive as plain maps through {@link
 * io.gatehouse.k8s.translate.ClusterState#gatewayObjects}, so this package sees neither Gson nor
 * client-java's dynamic API.
 */
@NullMarked
package io.gatehouse.k8s.translate.gateway;

import org.jspecify.annotations.NullMarked;
