/**
 * Stage: validate (admin rules). Pure checks the admin API adds to the model's validators: who may
 * route which host (the refused upstreams are {@link io.gatehouse.validate.EndpointPolicy}, shared
 * with the Kubernetes source). Imports the model, validate's host names and the JDK only; no table
 * or Vert.x, so the rules are tested without a server.
 */
package io.gatehouse.admin.policy;
