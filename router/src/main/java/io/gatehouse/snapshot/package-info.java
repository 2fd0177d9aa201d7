/**
 * Stage: snapshot. Compiles a table view into one immutable routing snapshot and publishes it
 * atomically. Pure Java over the model and RE2/J; no Vert.x types, so it runs off the event loop.
 */
package io.gatehouse.snapshot;
