/**
 * Stage: validate (admin rules). Pure checks the admin API adds to the model's validators: who may
 * route which host (the refused upstreams are {@link io.gatehouse.validate.EndpointPolicy}, shared
 * with the Kubernetes source). Imports the model, validate's host names and the JDK only (and
 * JSpecify's null annotations); no table or Vert.x, so the rules are tested without a server.
 */
@NullMarked
package io.gatehouse.admin.policy;

import org.jspecify.annotations.NullMarked;
