/**
 * Not a pipeline stage: a built-in echo upstream for trials and the README's quick start, like
 * Traefik's whoami. Imports Vert.x core only.
 */
package io.gatehouse.echo;
