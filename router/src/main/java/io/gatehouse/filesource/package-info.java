/**
 * Stage: source (file). Translates a YAML routes file into validated specs and replaces the table's
 * {@code file} source as a whole. Imports the model, validate, document, table, Vert.x core,
 * Jackson.
 */
package io.gatehouse.filesource;
