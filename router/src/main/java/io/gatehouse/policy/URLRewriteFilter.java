package io.gatehouse.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.validate.Substitution;
import io.gatehouse.validate.TargetPaths;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * User policy {@code URLRewrite}: the request target and Host the backend receives. At admission it
 * works out the new target once (from the normalised path, so the client's raw bytes never reach
 * it) and hands it to the request, which sends it on every attempt, a retry's too; the host goes
 * the same way. In the upstream stage, per attempt, it sets {@code X-Forwarded-Prefix}.
 *
 * <p>Fail closed: literal paths were checked by the validator and a segment-wise prefix replacement
 * of a normalised path stays normalised, so only a regular-expression substitution can make a bad
 * target, from what its groups captured ({@code /$1$2} joining "." and "." into "..", say). Its
 * result must be a path in the normal form ({@link TargetPaths}); otherwise the request is answered
 * 400 (with its request id, as every local answer) and never sent upstream.
 */
public final class URLRewriteFilter implements AdmissionFilter, UpstreamRequestFilter {
  static final String FORWARDED_PREFIX = "x-forwarded-prefix";
  static final int BAD_REQUEST = 400;

  private final @Nullable String hostname;
  private final @Nullable PathRewrites path;
  private final @Nullable Pattern pattern;
  private final @Nullable Substitution substitution;
  private final boolean dropQuery;
  private final @Nullable String forwardedPrefix;

  URLRewriteFilter(URLRewrite spec, List<PathMatch> routePaths) {
    this.hostname = spec.hostname();
    this.path = spec.path() == null ? null : new PathRewrites(spec.path(), routePaths);
    if (spec.regex() != null && spec.substitution() != null) {
      this.pattern = Pattern.compile(spec.regex());
      this.substitution = Substitution.parse(spec.substitution(), pattern);
    } else {
      this.pattern = null;
      this.substitution = null;
    }
    this.dropQuery = spec.dropQuery();
    this.forwardedPrefix = spec.forwardedPrefix();
  }

  /** Whether the upstream stage has anything to do (an X-Forwarded-Prefix to send). */
  boolean editsHeaders() {
    return forwardedPrefix != null || (path != null && path.strips());
  }

  @Override
  public int admit(RequestContext r) {
    String original = r.path();
    String newPath = original;
    if (path != null) {
      newPath = path.apply(original);
    } else if (pattern != null && substitution != null) { // set together
      Matcher m = pattern.matcher(original);
      if (m.find()) {
        newPath = substitution.expand(m);
        if (TargetPaths.pathProblem(newPath) != null) {
          return BAD_REQUEST;
        }
      }
    }
    String query = r.query();
    if (dropQuery && query != null) {
      query = null;
    }
    if (query != r.query() || !newPath.equals(original)) {
      r.upstreamTarget(query == null ? newPath : newPath + "?" + query);
    }
    if (hostname != null) {
      r.upstreamHost(hostname);
    }
    return PROCEED;
  }

  @Override
  public void onUpstreamRequest(RequestContext request, HeaderEdits upstream) {
    if (forwardedPrefix != null) {
      upstream.set(FORWARDED_PREFIX, forwardedPrefix);
    } else if (path != null && path.strips()) {
      String prefix = path.matchedPrefix(request.path());
      if (prefix != null && !prefix.equals("/")) {
        upstream.set(FORWARDED_PREFIX, prefix);
      }
    }
  }

  @Override
  public String toString() {
    return "URLRewriteFilter[host="
        + hostname
        + " path="
        + path
        + " regex="
        + (pattern == null ? null : pattern.pattern())
        + " dropQuery="
        + dropQuery
        + "]";
  }
}
