/**
 * Stage: certificate. The certificate pipeline, ahead of the TLS edge: its two sources (a
 * certificate directory, and the table's certificates named by routes), the bindings of names to
 * certificates, the immutable SNI index with its atomic holder, expiry and the generated default
 * certificate. Imports the model, validate, Vert.x core (the sources' contexts) and BouncyCastle
 * (the default certificate only) and JSpecify's null annotations; never the TLS edge, the data
 * plane, a route source or the node (CertificateBoundariesTest), so the edge reads what this stage
 * publishes and nothing flows back.
 */
@NullMarked
package io.gatehouse.certificate;

import org.jspecify.annotations.NullMarked;
