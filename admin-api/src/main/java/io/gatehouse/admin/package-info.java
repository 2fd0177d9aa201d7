/**
 * Stage: admin REST edge. The verticle and handlers built from the OpenAPI contract; they translate
 * requests, check them, write batches to the route table and answer problem+json. Imports the
 * model, validators, table, Vert.x web and the admin sub-packages; never the router.
 */
package io.gatehouse.admin;
