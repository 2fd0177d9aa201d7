package io.gatehouse.model.policy;

/**
 * One of a route's policies, in the order the route lists them (that order is the order they run
 * in, after the internal filters). Each kind is a record; the codec and the document tag it with
 * its {@code type}.
 */
public sealed interface PolicySpec
    permits RequestHeaders, ResponseHeaders, RequestRedirect, URLRewrite, Cors {
  /** The header edits of a header policy; none for the other kinds. */
  default HeaderEditsSpec edits() {
    return HeaderEditsSpec.NONE;
  }
}
