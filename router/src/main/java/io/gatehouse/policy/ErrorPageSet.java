package io.gatehouse.policy;

import io.gatehouse.model.policy.ErrorPages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A route's error pages compiled: for each status 400-599 the page that replaces its body, or none.
 * The lookup is one bounds check and one array read, so the proxy asks on every answer of 400 and
 * above; a route without error pages shares {@link #NONE}, whose table is empty (a route that has
 * none pays one array-length read per error answer and nothing per success).
 *
 * <p>A {@link Page} is either static (its bytes, sent as they are, and its content type) or fetched
 * from the route's error backend number {@link Page#backend()}: the snapshot compiler makes one
 * target per error pages policy with a backend, in policy order, the order {@link #of} numbers them
 * in.
 */
public final class ErrorPageSet {
  private static final int FIRST = 400;
  private static final int SIZE = 200;

  /** No page for any status. */
  public static final ErrorPageSet NONE = new ErrorPageSet(new Page[0]);

  private final Page[] byStatus;

  private ErrorPageSet(Page[] byStatus) {
    this.byStatus = byStatus;
  }

  /** The pages of {@code policies} (their validated error pages, in route order). */
  public static ErrorPageSet of(List<ErrorPages> policies) {
    if (policies.isEmpty()) {
      return NONE;
    }
    Page[] table = new Page[SIZE];
    int backends = 0;
    for (ErrorPages p : policies) {
      Page page =
          p.backend() != null
              ? new Page(null, null, backends++)
              : new Page(
                  // Validated: a policy without a backend has a page.
                  Objects.requireNonNull(p.page(), "page").getBytes(StandardCharsets.UTF_8),
                  p.contentType() == null ? ErrorPages.DEFAULT_CONTENT_TYPE : p.contentType(),
                  -1);
      for (int code : p.codes()) {
        if (code >= FIRST && code < FIRST + SIZE && table[code - FIRST] == null) {
          table[code - FIRST] = page;
        }
      }
    }
    return new ErrorPageSet(table);
  }

  /** The page that replaces the body of a {@code status} answer, or null to keep it. */
  public @Nullable Page forStatus(int status) {
    Page[] t = byStatus;
    int i = status - FIRST;
    return i >= 0 && i < t.length ? t[i] : null;
  }

  public boolean isEmpty() {
    return byStatus.length == 0;
  }

  /** One error page: static bytes and their type, or the number of the backend to fetch it from. */
  public static final class Page {
    private final byte @Nullable [] body;
    private final @Nullable String contentType;
    private final int backend;

    Page(byte @Nullable [] body, @Nullable String contentType, int backend) {
      this.body = body;
      this.contentType = contentType;
      this.backend = backend;
    }

    /** Whether the page is fetched (from {@link #backend()}) rather than static. */
    public boolean fetched() {
      return backend >= 0;
    }

    /** The static page's bytes (shared: never written to), or null for a fetched one. */
    public byte @Nullable [] body() {
      return body;
    }

    /** The static page's content type, or null for a fetched one. */
    public @Nullable String contentType() {
      return contentType;
    }

    /** The number of the route's error backend it is fetched from, or -1 for a static page. */
    public int backend() {
      return backend;
    }
  }
}
