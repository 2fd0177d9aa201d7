/**
 * Stage: source {@code k8s}, the migration report ({@code gatehouse migrate}). Reads ingress-nginx
 * Ingresses from YAML files or a live cluster (read-only) and runs the pure translator on them to
 * say what Gatehouse would serve; imports the translate stage, client-java and Jackson.
 */
@NullMarked
package io.gatehouse.k8s.migrate;

import org.jspecify.annotations.NullMarked;
