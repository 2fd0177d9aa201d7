/**
 * Stage: upstream. Endpoint selection and the per-event-loop HTTP client pools that reach backends:
 * balancers per endpoint-index slot and load-balancing policy (round robin, least request, two
 * choices, peak EWMA, ring hash, Maglev, cookie affinity, slow start, availability with a panic
 * threshold), rebuilt on an endpoint change keeping the state of unchanged endpoints, and the split
 * picker that spreads a route's requests over its weighted backends. Imports the model, the
 * endpoint index, the snapshot's routes, targets and splits, validate, Vert.x core, Netty and the
 * Vert.x internals adapter (and JSpecify's null annotations); never the proxy, table or sources.
 */
@NullMarked
package io.gatehouse.upstream;

import org.jspecify.annotations.NullMarked;
