/**
 * Stage: endpoints. The node-local index of where backends are (one immutable set per key: a
 * route's inline backend, a named backend or a Kubernetes Service port), fed by the node's own
 * sources and read by the data plane without locks, so an endpoint change never goes through the
 * table. Imports the JDK and the model only (and JSpecify's null annotations).
 */
@NullMarked
package io.gatehouse.endpoint;

import org.jspecify.annotations.NullMarked;
