/**
 * Stage: ctl. {@code gatehouse ctl}, the admin API's command-line client: contexts (server, token,
 * CA) in a small YAML file, and get, apply, delete, explain, status and watch over HTTP with the
 * JDK client. It is a client of the REST contract ({@code openapi/gatehouse-admin-v1.yaml}) and
 * imports no other stage, so it cannot drift into reading the table or the snapshot; only the node
 * package's command line calls it.
 */
@NullMarked
package io.gatehouse.ctl;

import org.jspecify.annotations.NullMarked;
