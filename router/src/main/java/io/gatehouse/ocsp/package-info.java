/**
 * OCSP stapling: fetches, checks and caches the OCSP responses of served certificates that name a
 * responder, for the TLS listener to staple. A response is stapled only while it is good, signed by
 * the issuer (or a responder the issuer delegated), for the certificate it is sent with, and before
 * its {@code nextUpdate}; anything else is dropped and the certificate is served without one.
 */
@NullMarked
package io.gatehouse.ocsp;

import org.jspecify.annotations.NullMarked;
