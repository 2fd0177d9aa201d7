/**
 * Stage: upstream health. Which endpoints may take new requests, node-wide: passive outlier
 * detection from the answers of real requests, active probes (HTTP, gRPC health, TCP) off the
 * request path, and the cluster sharing of both through the table's {@code HealthTopic}. Feeds the
 * balancers' {@code upstream.Availability}; imports the model, the endpoint index, the snapshot (to
 * find what to probe), the table's topic interface, Vert.x (timers and probe clients) and the JDK.
 */
@NullMarked
package io.gatehouse.health;

import org.jspecify.annotations.NullMarked;
