package io.gatehouse.model;

/**
 * What a route served over HTTPS answers to a plain-HTTP request. The 307 and 308 forms keep the
 * method and body; 301 and 302 let clients turn a POST into a GET.
 */
public enum HttpsRedirect {
  /** Plain HTTP is served as well, without a redirect. */
  OFF(0),
  MOVED_PERMANENTLY_301(301),
  FOUND_302(302),
  TEMPORARY_REDIRECT_307(307),
  PERMANENT_REDIRECT_308(308);

  public static final HttpsRedirect DEFAULT = PERMANENT_REDIRECT_308;

  private final int status;

  HttpsRedirect(int status) {
    this.status = status;
  }

  /** The status code of the redirect; 0 for {@link #OFF}. */
  public int status() {
    return status;
  }
}
