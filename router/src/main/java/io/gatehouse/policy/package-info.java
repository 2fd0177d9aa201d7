/**
 * Stage: policy. A route's policies compiled into an immutable {@link PolicyChain} of small filters
 * (admission, upstream request, response), held by the compiled route and run by the proxy in a
 * fixed order without lookups or allocation. Pure Java: imports the model, validate, the JDK and
 * the redirect rules of tls ({@code HttpsRedirects}); never the snapshot, proxy, upstream or
 * Vert.x.
 */
package io.gatehouse.policy;
