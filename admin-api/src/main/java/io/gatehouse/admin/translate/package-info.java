/**
 * Stage: source {@code rest}, translate (route keys carry the source segment {@code api}). REST
 * JSON bodies to model specs and model specs back to REST JSON, pure; bad input comes back as
 * {@link io.gatehouse.admin.translate.FieldError} data with JSON pointers. Routes are the route
 * document ({@code io.gatehouse.document}), so REST and the routes file cannot drift. Imports the
 * model, validate, the document, the table's member records (for the members answer), Jackson and
 * Vert.x JSON types only (and JSpecify's null annotations); never the table's writes or the
 * handlers.
 */
@NullMarked
package io.gatehouse.admin.translate;

import org.jspecify.annotations.NullMarked;
