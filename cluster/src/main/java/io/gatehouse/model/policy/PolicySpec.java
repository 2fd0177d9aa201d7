package io.gatehouse.model.policy;

/**
 * One of a route's policies, in the order the route lists them (that order is the order they run
 * in, after the internal filters). Each kind is a record; the codec and the document tag it with
 * its {@code type}.
 */
public sealed interface PolicySpec
    permits RequestHeaders,
        ResponseHeaders,
        RequestRedirect,
        URLRewrite,
        Cors,
        Compression,
        SessionPersistence,
        RequestMirror,
        ErrorPages,
        Retry,
        IpAccess,
        BasicAuth,
        JwtAuth,
        ForwardAuth,
        RateLimit,
        ConnectionLimit {
  /**
   * The header edits of a header policy; {@link HeaderEditsSpec#NONE} for a kind that edits no
   * header (it counts nothing towards the route's edit limit).
   */
  default HeaderEditsSpec edits() {
    return HeaderEditsSpec.NONE;
  }
}
