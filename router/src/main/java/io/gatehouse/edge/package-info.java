/**
 * Stage: edge. Downstream hardening before routing: request-head and path rules, HTTP/1 framing and
 * HTTP/2 frame checks, connection and overload limits, trusted proxies, and bounded logging of
 * client misbehaviour. Imports Vert.x core, Netty, the Vert.x internals adapter, validate's host
 * and URI-character rules and JSpecify's null annotations; never the snapshot, proxy or upstream,
 * so it refuses a request before any route is read.
 */
@NullMarked
package io.gatehouse.edge;

import org.jspecify.annotations.NullMarked;
