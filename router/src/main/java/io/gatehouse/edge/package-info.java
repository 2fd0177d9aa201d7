/**
 * Stage: edge. Downstream hardening: request parsing rules and limits applied before routing.
 * Imports Vert.x core and the model.
 */
package io.gatehouse.edge;
