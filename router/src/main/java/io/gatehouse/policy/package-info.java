/**
 * Stage: policy. A route's policies compiled into an immutable {@link PolicyChain} of small filters
 * (admission, upstream request, response), held by the compiled route and run by the proxy in a
 * fixed order without lookups or allocation. Pure Java: imports the model, validate, the JDK, the
 * redirect rules of tls ({@code HttpsRedirects}) and JSpecify's null annotations; never the
 * snapshot, proxy, upstream or Vert.x. Null-marked: a null is allowed only where a type says
 * {@code @Nullable}.
 */
@NullMarked
package io.gatehouse.policy;

import org.jspecify.annotations.NullMarked;
