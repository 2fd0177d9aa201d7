/**
 * Stage: admin REST edge, and with {@code admin.translate} the REST source. Sources are named
 * {@code io.gatehouse.<source>} ({@code file}, {@code flags}, {@code k8s}); the REST source is the
 * one exception, named after the API that carries it: its route operations share one OpenAPI
 * contract, the tokens, tenants, batches and problem+json answers with operations that are no
 * source (members, explain), so {@code io.gatehouse.admin..} as a whole counts as the REST source
 * in the source rules (router's SourceBoundariesTest). The verticle and handlers built from the
 * OpenAPI contract translate requests, check them, plan and write batches to the route table and
 * answer problem+json; the explain operation asks the node through the {@link
 * io.gatehouse.admin.Explainer} interface, which the router's explain stage implements. Imports the
 * model, validate, the document, the table, Vert.x web and OpenAPI, SnakeYAML (to serve the
 * contract), the admin sub-packages and JSpecify's null annotations; never the router, so the REST
 * edge cannot reach into the data plane.
 */
@NullMarked
package io.gatehouse.admin;

import org.jspecify.annotations.NullMarked;
