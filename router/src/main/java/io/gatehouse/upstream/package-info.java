/**
 * Stage: upstream. Endpoint selection and the per-event-loop HTTP client pools that reach backends.
 * Balancers are rebuilt per event loop from the endpoint index's sets. Imports the model, the
 * endpoint index, the snapshot and Vert.x core.
 */
package io.gatehouse.upstream;
