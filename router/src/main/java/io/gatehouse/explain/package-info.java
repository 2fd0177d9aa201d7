/**
 * Stage: explain. Answers the admin API's explain question on this node by running a request
 * through the served snapshot's own lookup ({@code RouteSnapshot.trace}, proven equal to the data
 * plane's {@code match} by a property test), the certificate index and the endpoint index, so the
 * answer cannot drift from what the router does. Reads snapshot, endpoint, certificate, tls, edge,
 * model and validate; never the proxy, upstream pools, table or sources, which it must not change
 * or wait on. Only the node package wires it.
 */
@NullMarked
package io.gatehouse.explain;

import org.jspecify.annotations.NullMarked;
