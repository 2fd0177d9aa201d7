/**
 * Gateway API translation: GatewayClass, Gateway, HTTPRoute, GRPCRoute, TLSRoute and ReferenceGrant
 * objects of the {@code gatehouse.io/gateway-controller} class into the same routes and
 * certificates as Ingresses (source {@code k8s}, tenant = namespace), and the status each object
 * should carry. Pure: objects arrive as plain maps through {@link GatewayState} and are read into
 * this package's own records ({@code GatewayObjects}), so it sees neither Gson nor client-java's
 * dynamic API. May import java, JSpecify, the model, validate, client-java's model classes and
 * {@code io.gatehouse.k8s.translate} (never the reverse).
 */
@NullMarked
package io.gatehouse.k8s.translate.gateway;

import org.jspecify.annotations.NullMarked;
