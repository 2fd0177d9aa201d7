/**
 * Stage: admin REST edge. The verticle and handlers built from the OpenAPI contract translate
 * requests, check them, plan and write batches to the route table and answer problem+json; the
 * explain operation asks the node through the {@link io.gatehouse.admin.Explainer} interface, which
 * the router's explain stage implements. Imports the model, validate, the document, the table,
 * Vert.x web and OpenAPI, SnakeYAML (to serve the contract) and the admin sub-packages; never the
 * router, so the REST edge cannot reach into the data plane.
 */
package io.gatehouse.admin;
