/**
 * Stage: source {@code k8s}, translate half (one of the sources named {@code
 * io.gatehouse.<source>}). Turns Kubernetes objects (client-java model classes only, read through
 * {@link io.gatehouse.k8s.translate.ClusterState}) into route and certificate specs; pure, no I/O,
 * no Vert.x. Imports client-java's model classes, the model, validate and JSpecify's null
 * annotations.
 */
@NullMarked
package io.gatehouse.k8s.translate;

import org.jspecify.annotations.NullMarked;
