/**
 * Stage: admin authentication. Bearer tokens (only their SHA-256 hashes are stored, as {@link
 * io.gatehouse.model.TokenSpec}), the bootstrap admin token and per-token rate limits. Imports the
 * model, the table and the JDK; no Vert.x.
 */
package io.gatehouse.admin.auth;
