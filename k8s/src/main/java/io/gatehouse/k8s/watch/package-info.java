/**
 * Stage: watch. Informers on the API server feed {@code translate}; the result goes to the route
 * table, Ingress events and Ingress status, and each node feeds its own endpoint index from its
 * EndpointSlice informer, without the table. May import client-java, the model, validate, the
 * table, the endpoint index and translate; never the router.
 */
package io.gatehouse.k8s.watch;
