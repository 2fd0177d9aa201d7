package io.gatehouse.model.policy;

import org.jspecify.annotations.Nullable;

/**
 * Rewrites the request the backend receives, as Gateway API's {@code HTTPURLRewriteFilter} plus an
 * RE2 substitution: the client's own request, the route match and the access log keep the original.
 *
 * @param hostname the Host (HTTP/1) or :authority (HTTP/2) the backend sees, or null to keep the
 *     client's (ingress-nginx {@code upstream-vhost})
 * @param path how the path changes, or null (not with {@code regex})
 * @param regex an RE2 pattern searched in the normalised path; when it matches, the whole path
 *     becomes {@code substitution} with {@code $1}, {@code ${name}} expanded (nginx's {@code
 *     rewrite}, as ingress-nginx's {@code rewrite-target} uses it); no match leaves the path as it
 *     is. Null for none
 * @param substitution the new path with group references; given exactly when {@code regex} is
 * @param dropQuery whether the query is left off the rewritten target (kept by default)
 * @param forwardedPrefix the {@code X-Forwarded-Prefix} the backend gets, or null: then a prefix
 *     replacement that strips the prefix (value "" or "/") sends the matched prefix
 */
public record URLRewrite(
    @Nullable String hostname,
    @Nullable PathModifier path,
    @Nullable String regex,
    @Nullable String substitution,
    boolean dropQuery,
    @Nullable String forwardedPrefix)
    implements PolicySpec {

  /** Gateway API's shape: a host and a path modifier, nothing else. */
  public static URLRewrite of(@Nullable String hostname, @Nullable PathModifier path) {
    return new URLRewrite(hostname, path, null, null, false, null);
  }
}
