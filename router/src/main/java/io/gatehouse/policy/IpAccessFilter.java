package io.gatehouse.policy;

import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.validate.Cidrs;
import org.jspecify.annotations.Nullable;

/**
 * IP allow and deny lists ({@link IpAccess}): 403 when the request's client address ({@link
 * RequestContext#clientAddress}, the one every access rule uses) is denied, or when an allow list
 * is given and the address is in none of it; deny wins. An unknown or unparsable client address is
 * refused: the rule fails closed. The node's own lists (settings {@code proxy.allow}, {@code
 * proxy.deny}) are one of these, checked before the route match.
 *
 * <p>Per request: one parse of the client's address literal (4 or 16 bytes) and a linear scan of
 * each list, a byte compare per network; lists are short (ingress-nginx's are a handful).
 */
public final class IpAccessFilter implements AdmissionFilter {
  private final Cidrs allow;
  private final Cidrs deny;

  /**
   * @throws IllegalArgumentException naming a bad CIDR (the validator refuses it first)
   */
  public IpAccessFilter(IpAccess spec) {
    this(Cidrs.parse(spec.allow()), Cidrs.parse(spec.deny()));
  }

  public IpAccessFilter(Cidrs allow, Cidrs deny) {
    this.allow = allow;
    this.deny = deny;
  }

  /** Whether the lists let every address through (then the filter need not run). */
  public boolean open() {
    return allow.isEmpty() && deny.isEmpty();
  }

  @Override
  public int admit(RequestContext request) {
    return admits(request.clientAddress()) ? PROCEED : 403;
  }

  /** Whether {@code address} (an IP literal) may pass; null or not a literal: no. */
  public boolean admits(@Nullable String address) {
    if (address == null) {
      return false;
    }
    byte[] a = Cidrs.literal(address);
    if (a == null || deny.contains(a)) {
      return false;
    }
    return allow.isEmpty() || allow.contains(a);
  }

  @Override
  public String toString() {
    return "IpAccess[allow=" + allow.source() + ", deny=" + deny.source() + "]";
  }
}
