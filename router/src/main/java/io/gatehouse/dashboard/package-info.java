/**
 * Stage: the operator's dashboard. A read-only page on the status listener (opt-in: {@code
 * dashboard.enabled}) and the JSON it polls: routes, backends with endpoint health, cluster members
 * and their served generations, certificates with expiry, current and recent problems
 * (configuration, Kubernetes, health) and live request rates from a small exchange observer. Reads
 * what the node serves (snapshot, endpoint index, health registry, the status JSON the node hands
 * over) and never the table or a source; imports those, the observer contract, Vert.x core and the
 * JDK. Static assets come from the jar.
 */
@NullMarked
package io.gatehouse.dashboard;

import org.jspecify.annotations.NullMarked;
