/**
 * Stage: model. The one internal route model every source translates into and every consumer reads.
 * Imports only the JDK: no Vert.x, Hazelcast, Kubernetes or REST types.
 */
package io.gatehouse.model;
