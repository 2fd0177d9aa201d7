/**
 * Stage: tls (the TLS edge). HTTPS termination on the listener: the key manager that reads the
 * certificate stage's current index at each handshake, the HTTPS server options, client-certificate
 * requests, HTTPS redirects, the 421 check, the OpenSSL key material cache of each listener's
 * contexts and the TLS policy (versions, suites, groups, tickets, per-host minimum versions).
 * Imports the model, validate, the certificate stage, Vert.x core, Netty's SSL classes, the
 * Vert.x-internals adapter and JSpecify's null annotations.
 */
@NullMarked
package io.gatehouse.tls;

import org.jspecify.annotations.NullMarked;
