/**
 * Stage: source (file). Reads a YAML routes file through the route document into validated specs
 * and replaces the table's {@code file} source as a whole. Imports the model, the document, the
 * table, Vert.x core, Jackson and SnakeYAML; never the data plane.
 */
package io.gatehouse.filesource;
