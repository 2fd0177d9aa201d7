package io.gatehouse.policy;

/**
 * User policy {@code SessionPersistence}, its response stage: adds the {@code Set-Cookie} that the
 * split's weighted pick asked for ({@link RequestContext#splitCookie()}), to a proxied answer only.
 * The pick itself (reading the cookie, honouring it while its backend can take requests) is the
 * split's, compiled into the route's {@code Split}. A request that carried a usable cookie, or that
 * a canary rule placed, gets none. Stateless: one instance serves every route.
 */
public final class SessionPersistenceFilter implements ResponseFilter {
  static final SessionPersistenceFilter INSTANCE = new SessionPersistenceFilter();

  private static final String SET_COOKIE = "set-cookie";

  private SessionPersistenceFilter() {}

  @Override
  public void onResponse(RequestContext request, int status, HeaderEdits downstream) {
    String cookie = request.splitCookie();
    if (cookie != null) {
      downstream.add(SET_COOKIE, cookie);
    }
  }

  @Override
  public String toString() {
    return "SessionPersistenceFilter";
  }
}
