/**
 * Stage: observation of the proxy's exchanges, as traces. An {@code ExchangeObserver} that
 * continues or starts a W3C trace per request, makes a server span and a client span per upstream
 * attempt, sends the client span's {@code traceparent} upstream and exports over OTLP/HTTP with the
 * OpenTelemetry SDK. Imports the observe contract, the OpenTelemetry API and SDK, Vert.x's header
 * map, SLF4J and JSpecify only; the node builds it (off: nothing is built).
 */
@NullMarked
package io.gatehouse.trace;

import org.jspecify.annotations.NullMarked;
