/**
 * Not a pipeline stage: a built-in echo upstream for trials and the README's quick start, like
 * Traefik's whoami. Imports Vert.x core only (and JSpecify's null annotations).
 */
@NullMarked
package io.gatehouse.echo;

import org.jspecify.annotations.NullMarked;
