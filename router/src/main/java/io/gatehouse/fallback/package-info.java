/**
 * Stage: fallback. The default backend verticle and the pages Gatehouse answers with itself (404,
 * 503, 502, 504, and refusals): small HTML for browsers, JSON for {@code Accept: application/json},
 * carrying the request id and nothing internal. Imports Vert.x core (and JSpecify's null
 * annotations).
 */
@NullMarked
package io.gatehouse.fallback;

import org.jspecify.annotations.NullMarked;
