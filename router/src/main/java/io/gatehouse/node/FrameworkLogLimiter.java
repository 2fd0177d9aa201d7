package io.gatehouse.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * At most one warning or error a second from Netty and Vert.x, with a count of the lines held back.
 * A client can make those libraries log: a misbehaving HTTP/2 client once produced a ~4 KB stack
 * trace per connection (Vert.x's connection-error handler failing on a stream Netty reset before
 * Vert.x saw it), so whoever can open connections could fill the disk. Gatehouse's own lines about
 * client misbehaviour are aggregated where they are written; this bounds the libraries' lines.
 *
 * <p>Hand-written: Logback's {@code DuplicateMessageFilter} drops a message pattern for good after
 * a number of repeats, which would hide a real failure that recurs, and says nothing about what it
 * dropped. One compare-and-set per framework warning, nothing on other lines.
 */
public final class FrameworkLogLimiter extends TurboFilter {
  private static final long INTERVAL_NANOS = 1_000_000_000L;
  private static final String NETTY = "io.netty";
  private static final String VERTX = "io.vertx";

  private final org.slf4j.Logger log = LoggerFactory.getLogger(FrameworkLogLimiter.class);
  private final AtomicLong next = new AtomicLong(System.nanoTime());
  private final AtomicLong held = new AtomicLong();

  /** Adds the limiter to Logback's context once; a no-op with another SLF4J backend. */
  public static void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      synchronized (FrameworkLogLimiter.class) {
        for (TurboFilter f : ctx.getTurboFilterList()) {
          if (f instanceof FrameworkLogLimiter) {
            return;
          }
        }
        FrameworkLogLimiter limiter = new FrameworkLogLimiter();
        limiter.setName("framework-log-limiter");
        limiter.start();
        ctx.addTurboFilter(limiter);
      }
    }
  }

  @Override
  public FilterReply decide(
      @Nullable Marker marker,
      Logger logger,
      @Nullable Level level,
      @Nullable String format,
      @Nullable Object @Nullable [] params,
      @Nullable Throwable t) {
    if (level == null || !level.isGreaterOrEqual(Level.WARN) || !isFramework(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    // Not logger.isEnabledFor: that runs the turbo filters again, this one included (recursion).
    if (!level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL; // would not be written anyway: neither counted nor spent
    }
    long now = System.nanoTime();
    long due = next.get();
    if (now - due >= 0 && next.compareAndSet(due, now + INTERVAL_NANOS)) {
      long dropped = held.getAndSet(0);
      if (dropped > 0) {
        log.warn(
            "{} warnings and errors from Netty and Vert.x held back in the last interval (one a"
                + " second is written)",
            dropped);
      }
      return FilterReply.NEUTRAL;
    }
    held.incrementAndGet();
    return FilterReply.DENY;
  }

  private static boolean isFramework(String name) {
    return name.startsWith(NETTY) || name.startsWith(VERTX);
  }
}
