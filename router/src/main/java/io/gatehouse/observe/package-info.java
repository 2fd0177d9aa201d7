/**
 * Stage: observation of the proxy's exchanges. The interfaces the proxy calls at fixed points of
 * each request ({@link ExchangeObserver}) and the read-only view it passes ({@link ExchangeView});
 * the metrics, tracing and access-log stages implement them, the node wires them. Imports the
 * endpoint keys, Vert.x's header map and JSpecify only, so the proxy depends on nothing of its
 * observers.
 */
@NullMarked
package io.gatehouse.observe;

import org.jspecify.annotations.NullMarked;
