/**
 * Stage: admin authentication. Bearer tokens (only their SHA-256 hashes are stored, as {@link
 * io.gatehouse.model.TokenSpec}), the bootstrap admin token and per-token rate limits. Imports the
 * model, the table and the JDK (and JSpecify's null annotations); no Vert.x.
 */
@NullMarked
package io.gatehouse.admin.auth;

import org.jspecify.annotations.NullMarked;
