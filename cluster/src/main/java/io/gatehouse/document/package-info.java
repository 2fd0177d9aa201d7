/**
 * Stage: translate (the route document). The one reader and writer of the route document, shared by
 * every source (routes file, REST) so they cannot drift: a Jackson tree in, specs or problems with
 * their document paths out, and specs back to a tree; plus the forms (host:port, durations, sizes)
 * the node configuration reads too. Imports the JDK, Jackson databind, the model, validate and
 * JSpecify's null annotations; never Vert.x, YAML or the table.
 */
@NullMarked
package io.gatehouse.document;

import org.jspecify.annotations.NullMarked;
