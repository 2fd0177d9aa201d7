/**
 * Stage: upstream. Endpoint selection and the per-event-loop HTTP client pools that reach backends.
 * Imports the model, the snapshot and Vert.x core.
 */
package io.gatehouse.upstream;
