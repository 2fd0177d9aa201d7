/**
 * How a backend's endpoints are used: the load-balancing algorithm, active health checks, passive
 * outlier detection and circuit breaking ({@link io.gatehouse.model.backend.BackendPolicy}). It
 * travels where a backend's protocol and upstream TLS travel (a static backend, a named backend
 * object, a Service reference), so a change of it recompiles the routes that use it while an
 * endpoint change still does not. Plain records, JDK only.
 */
@NullMarked
package io.gatehouse.model.backend;

import org.jspecify.annotations.NullMarked;
