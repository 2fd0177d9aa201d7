/**
 * Stage: endpoints. The node-local index of where backends are (one immutable set per key), fed by
 * the node's own sources and read by the data plane without locks. Imports the JDK and the model
 * only.
 */
package io.gatehouse.endpoint;
