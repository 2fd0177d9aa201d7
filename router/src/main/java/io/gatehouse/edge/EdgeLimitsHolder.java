package io.gatehouse.edge;

import java.util.List;

/**
 * The node's edge limits, replaced whole on a configuration reload: every check reads {@link #get}
 * once per connection or request (one volatile read), so a new value applies from the next one on
 * and what is open keeps what it started with. The limits Netty bakes into a listener at its start
 * ({@link #RESTART_ONLY}) never change here: the reload refuses them.
 */
public final class EdgeLimitsHolder {
  /**
   * Keys read once when the listeners start: the request decoder's sizes ({@code
   * HttpServerOptions.setMaxHeaderSize/setMaxInitialLineLength}, also the upstream clients'
   * response head size) and the idle handler's time ({@code setIdleTimeout}). Changing them means
   * binding the listeners again.
   */
  public static final List<String> RESTART_ONLY =
      List.of("limits.maxHeaderBytes", "limits.maxRequestLineBytes", "limits.keepAliveIdleTimeout");

  private volatile EdgeLimits limits;

  public EdgeLimitsHolder(EdgeLimits limits) {
    this.limits = limits;
  }

  public EdgeLimits get() {
    return limits;
  }

  /**
   * Swaps in {@code next}; the caller (the reload) has refused a change of a {@link #RESTART_ONLY}
   * key before, so the listeners and these limits agree.
   */
  public void replace(EdgeLimits next) {
    limits = next;
  }
}
