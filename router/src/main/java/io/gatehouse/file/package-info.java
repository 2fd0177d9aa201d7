/**
 * Stage: source {@code file}, one of the sources named {@code io.gatehouse.<source>} (with {@code
 * flags}, {@code k8s} and the REST source in {@code admin}). Reads a YAML routes file through the
 * route document into validated specs and replaces the table's {@code file} source (the route key's
 * source segment) as a whole. Imports the model, validate, the document, the table, Vert.x core,
 * Jackson, SnakeYAML and JSpecify's null annotations; never another source, the data plane or the
 * node (SourceBoundariesTest).
 */
@NullMarked
package io.gatehouse.file;

import org.jspecify.annotations.NullMarked;
