/**
 * Stage: validate (admin rules). Pure checks the admin API adds to the model's validators: who may
 * route which host (the refused upstreams are {@link io.gatehouse.validate.EndpointPolicy}, shared
 * with the Kubernetes source). Imports the model and the JDK only.
 */
package io.gatehouse.admin.policy;
