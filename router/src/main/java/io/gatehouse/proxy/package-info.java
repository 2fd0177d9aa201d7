/**
 * Stage: proxy. The router verticles, one per event loop on a shared port: each hands its exchanges
 * the loop's services and is never called back by them, and each exchange matches a request against
 * the current snapshot and streams it to an upstream with back-pressure. Header rules, the
 * WebSocket tunnel, slow-client deadlines, live exchanges and connection state are classes of their
 * own, so the exchange stays the request's flow; a route's policies run as its compiled chain,
 * which the exchange knows by stage, never by filter. Imports Vert.x core, Netty, the model,
 * endpoint index, snapshot, policy, edge, upstream, fallback, certificate, tls and the Vert.x
 * internals adapter (and JSpecify's null annotations); never the table or a source.
 */
@NullMarked
package io.gatehouse.proxy;

import org.jspecify.annotations.NullMarked;
