/**
 * Stage: observation (the access log). An exchange observer that copies the chosen fields of each
 * finished request, after the route's sampling, into a bounded queue, and one thread that formats
 * them (JSON or the fixed text layout) and writes them to stdout or a file: the event loop never
 * formats, writes or waits, and a full queue drops and counts. Imports the observe contract, Vert.x
 * core's header map, SLF4J and JSpecify only; the node wires it and swaps its options on reload.
 */
@NullMarked
package io.gatehouse.accesslog;

import org.jspecify.annotations.NullMarked;
