/**
 * The one adapter to Vert.x internals ({@code io.vertx..impl..}, {@code io.vertx.core.internal..}):
 * what Gatehouse needs that no public Vert.x 5 API offers, each with the reason in its comment. A
 * Vert.x upgrade that moves an internal class breaks only this package (ArchUnit keeps it so). It
 * depends on no other Gatehouse package (it imports JSpecify's null annotations).
 */
@NullMarked
package io.gatehouse.vertxinternals;

import org.jspecify.annotations.NullMarked;
