/**
 * Stage: tls. HTTPS termination: the immutable SNI certificate index, the key manager that reads
 * the current index at each handshake, the generated default certificate, the HTTPS server options,
 * the certificate directory source and the 421 check. Imports the model, validate, Vert.x core,
 * Netty's SSL classes and BouncyCastle (only to generate the default certificate).
 */
package io.gatehouse.tls;
