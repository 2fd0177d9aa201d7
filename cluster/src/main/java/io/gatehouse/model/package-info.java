/**
 * Stage: model. The one internal route model every source translates into and every consumer reads.
 * Imports only the JDK (and JSpecify's null annotations): no Vert.x, Hazelcast, Kubernetes or REST
 * types. Null-marked: a null is allowed only where a type says {@code @Nullable}.
 */
@NullMarked
package io.gatehouse.model;

import org.jspecify.annotations.NullMarked;
