/**
 * Stage: acme (certificates ordered from an ACME server, RFC 8555). The account, an order for a
 * list of hosts answered by HTTP-01 through the {@link io.gatehouse.acme.ChallengeStore}, which the
 * plain listener reads, and the outcome of each order as data. Imports the JDK, acme4j, Vert.x core
 * (its worker executor), the model (an issued certificate as a table certificate entry), the tls
 * stage's challenge path, SLF4J and JSpecify's null annotations; the data plane reads only the
 * store and {@link io.gatehouse.acme.HttpChallenges}, which are JDK-only.
 */
@NullMarked
package io.gatehouse.acme;

import org.jspecify.annotations.NullMarked;
