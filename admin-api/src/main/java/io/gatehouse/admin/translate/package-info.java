/**
 * Stage: translate. REST JSON bodies to model specs and model specs back to REST JSON, pure; bad
 * input comes back as {@link io.gatehouse.admin.translate.FieldError} data with JSON pointers.
 * Routes are the route document ({@code io.gatehouse.document}). Imports the model, the validators,
 * the document, Jackson and Vert.x JSON types only.
 */
package io.gatehouse.admin.translate;
