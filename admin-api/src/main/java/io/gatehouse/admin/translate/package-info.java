/**
 * Stage: translate. REST JSON bodies to model specs and model specs back to REST JSON, pure; bad
 * input comes back as {@link io.gatehouse.admin.translate.FieldError} data with JSON pointers.
 * Imports the model, the validators and Vert.x JSON types only.
 */
package io.gatehouse.admin.translate;
