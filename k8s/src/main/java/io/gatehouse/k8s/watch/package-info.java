/**
 * Stage: source {@code k8s}, watch half (one of the sources named {@code io.gatehouse.<source>};
 * route keys carry the source segment {@code k8s}). Informers on the API server feed {@code
 * translate}; the result goes to the route table, Ingress events and Ingress status, and each node
 * feeds its own endpoint index from its EndpointSlice informer, without the table. May import
 * client-java, the model, validate, the table, the endpoint index and translate (and JSpecify's
 * null annotations); never another source or the router.
 */
@NullMarked
package io.gatehouse.k8s.watch;

import org.jspecify.annotations.NullMarked;
