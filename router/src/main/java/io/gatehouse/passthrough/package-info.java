/**
 * Stage: passthrough (the TLS edge, before termination). Reads the ClientHello of each connection
 * on the HTTPS listener while some route passes TLS through, and splices a passthrough name's bytes
 * to its backend unchanged. Imports the snapshot, the endpoint index, the model, the edge's
 * connection caps, upstream availability and PROXY headers, the Vert.x internals adapter (the
 * addresses a listener's PROXY header named), Netty and SLF4J.
 */
@NullMarked
package io.gatehouse.passthrough;

import org.jspecify.annotations.NullMarked;
