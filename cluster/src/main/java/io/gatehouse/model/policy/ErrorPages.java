package io.gatehouse.model.policy;

import io.gatehouse.model.BackendRef;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Error pages, as ingress-nginx's {@code custom-http-errors} with a {@code default-backend}: an
 * answer of the route with one of {@code codes} (the backend's, or one Gatehouse makes itself for
 * the route, such as 502, 503 or 504) keeps its status but gets another body: {@code page}, sent as
 * it is (never a template), or what {@code backend} answers to a {@code GET} that names the code
 * ({@code X-Code}) and the request ({@code X-Original-URI}, {@code X-Request-ID}...). Exactly one
 * of {@code page} and {@code backend} is set. A failed fetch (the backend down, slow, too large, or
 * answering another status) falls back to Gatehouse's own page: a page is never fetched twice.
 *
 * @param codes the statuses replaced, 400-599, each once over all of a route's error pages
 * @param page the body sent for them, as it is; null with a backend
 * @param contentType the page's {@code Content-Type}; null with a backend ({@link
 *     #DEFAULT_CONTENT_TYPE} for a page that gives none)
 * @param backend where the page is fetched from, in the forms of a route's backends; null with a
 *     page
 */
public record ErrorPages(
    List<Integer> codes,
    @Nullable String page,
    @Nullable String contentType,
    @Nullable BackendRef backend)
    implements PolicySpec {
  /** The content type of a page that names none. */
  public static final String DEFAULT_CONTENT_TYPE = "text/html; charset=utf-8";

  /** The largest page, in UTF-8 bytes: it is stored in the route and replicated with it. */
  public static final int MAX_PAGE_BYTES = 16 * 1024;

  public ErrorPages {
    codes = codes == null ? List.of() : List.copyOf(codes);
  }

  /** A static page. */
  public static ErrorPages page(List<Integer> codes, String page, @Nullable String contentType) {
    return new ErrorPages(codes, page, contentType, null);
  }

  /** A page fetched from {@code backend}. */
  public static ErrorPages backend(List<Integer> codes, BackendRef backend) {
    return new ErrorPages(codes, null, null, backend);
  }
}
