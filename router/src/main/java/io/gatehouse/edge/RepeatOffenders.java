package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Client addresses whose HTTP/2 connections keep being cut for abuse, and the pacing of their new
 * connections. A cut is a GOAWAY with ENHANCE_YOUR_CALM, which RFC 9113 §7 gives for a peer
 * "generating excessive load": control-frame floods ({@link Http2StreamGuard}), rapid reset and
 * empty DATA (Netty), frames on reset streams ({@link Http2FrameScanner}). Protocol errors do not
 * count: a buggy client is not an attacker.
 *
 * <p>Why: cutting a flooder early bounds what one connection costs, but an attacker that connects
 * again at once makes the node pay a TLS handshake and the start of a flood for every cut. On one
 * event loop (bench/h2-flood.sh, 10 reconnecting attackers, December 2026) that was about 200
 * connections a second at 1.7-8 ms of CPU each (an RSA-2048 handshake alone is 0.7 ms): the core
 * was saturated and another client's p99 rose from 4.8 ms idle to 109 ms. nginx pays the same per
 * handshake; HAProxy cuts none of these floods, so its attackers never reconnect.
 *
 * <p>So each address has a leaky bucket of cuts: one token per cut, one drained per {@link
 * #DRAIN_NANOS}, at most {@link #CAP} held. Past {@link #THRESHOLD} (a burst of 20 cuts, or more
 * than one a second kept up for 20 s) the address is paced: its new connections are accepted but
 * not read (no handshake, no decoding) and let in at {@code limits.pacedConnectionsPerSecond} (5; 0
 * turns pacing off), in order; beyond {@link #MAX_WAITING} waiting, a new one is closed at once. A
 * client behind the same NAT as an attacker gets its new connections late, never refused while few
 * wait; connections already open are never touched. The pacing ends at most (CAP - THRESHOLD) s
 * after the last cut. A waiting connection still has the listener's handshake or header-read
 * deadline.
 *
 * <p>Addresses tracked are bounded ({@link #MAX_ADDRESSES}); when full, drained ones are dropped,
 * and a new address that still does not fit is not tracked (never paced).
 */
public final class RepeatOffenders {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RepeatOffenders.class);

  static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final int THRESHOLD = 20;
  static final int CAP = 30;
  static final int MAX_WAITING = 32;
  static final int MAX_ADDRESSES = 65_536;

  private static final AttributeKey<Tracked> KEY =
      AttributeKey.valueOf(RepeatOffenders.class, "tracked");

  private static final LogBudget PACED_LOG = new LogBudget();
  private static final AtomicLong UNLOGGED = new AtomicLong();

  private final ConcurrentHashMap<String, Offender> byAddress = new ConcurrentHashMap<>();
  private final long drainNanos;

  /** Read at each use: a reload of {@code limits.pacedConnectionsPerSecond} applies at once. */
  private final LongSupplier admitEveryNanos;

  private final TrustedProxies exempt;

  /**
   * @param perSecond new connections a second let in from a paced address; 0 turns pacing off
   * @param exempt peers never paced: trusted proxies, behind which many clients share an address
   */
  public RepeatOffenders(int perSecond, TrustedProxies exempt) {
    this(DRAIN_NANOS, admitEvery(perSecond), exempt);
  }

  /** Paced at the node's {@code limits.pacedConnectionsPerSecond}, read at each use. */
  public RepeatOffenders(EdgeLimitsHolder limits, TrustedProxies exempt) {
    this(DRAIN_NANOS, () -> admitEvery(limits.get().pacedConnectionsPerSecond()), exempt);
  }

  RepeatOffenders(long drainNanos, long admitEveryNanos, TrustedProxies exempt) {
    this(drainNanos, () -> admitEveryNanos, exempt);
  }

  private RepeatOffenders(long drainNanos, LongSupplier admitEveryNanos, TrustedProxies exempt) {
    this.drainNanos = drainNanos;
    this.admitEveryNanos = admitEveryNanos;
    this.exempt = exempt;
  }

  private static long admitEvery(int perSecond) {
    return perSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
  }

  /** The ledger and address a channel was accepted with. */
  private record Tracked(RepeatOffenders ledger, String address) {}

  /** One address's bucket and queue; guarded by itself. */
  private static final class Offender {
    /** When the bucket is empty again (System.nanoTime); its level is the time until then. */
    long emptyAt;

    /** When the next waiting connection may be let in. */
    long nextAdmitAt;

    int waiting;
  }

  /**
   * Called as the listener accepts {@code channel}, before any byte is read: lets it in, holds it
   * for its turn, or closes it when too many of its address wait.
   */
  public void admit(Channel channel) {
    if (!(channel.remoteAddress() instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return;
    }
    admit(channel, inet.getAddress().getHostAddress());
  }

  /**
   * As {@link #admit(Channel)}, for a connection whose client is {@code address} rather than its
   * peer (the source of a PROXY protocol header).
   */
  public void admit(Channel channel, String address) {
    if (!tracks(address)) {
      return;
    }
    track(channel, address);
    long delay = delayNanos(address, System.nanoTime());
    if (delay == 0) {
      return;
    }
    if (delay < 0) {
      channel.close();
      return;
    }
    Hold hold = new Hold();
    channel.config().setAutoRead(false);
    channel.pipeline().addFirst(hold);
    channel.eventLoop().schedule(() -> hold.release(address), delay, TimeUnit.NANOSECONDS);
    channel.closeFuture().addListener(f -> hold.release(address));
  }

  /** Whether {@code address} can be paced: pacing is on and it is no trusted proxy. */
  boolean tracks(String address) {
    return admitEveryNanos.getAsLong() > 0 && !exempt.contains(address);
  }

  /** Counts the GOAWAYs {@link #goAwaySent} reports on {@code channel} for {@code address}. */
  void track(Channel channel, String address) {
    channel.attr(KEY).set(new Tracked(this, address));
  }

  /** A GOAWAY the server sent on {@code channel}; counts when its code says the peer abused it. */
  public static void goAwaySent(Channel channel, long errorCode) {
    if (errorCode != Http2Error.ENHANCE_YOUR_CALM.code()) {
      return;
    }
    Tracked tracked = channel.attr(KEY).get();
    if (tracked != null) {
      tracked.ledger.cut(tracked.address, System.nanoTime());
    }
  }

  /** Counts one cut of {@code address}'s connections. */
  void cut(String address, long now) {
    Offender o = byAddress.get(address);
    if (o == null) {
      if (byAddress.size() >= MAX_ADDRESSES) {
        byAddress.values().removeIf(x -> drained(x, now));
        if (byAddress.size() >= MAX_ADDRESSES) {
          return;
        }
      }
      o = byAddress.computeIfAbsent(address, k -> new Offender());
    }
    boolean crossed;
    synchronized (o) {
      boolean wasPaced = paced(o, now);
      o.emptyAt = Math.min(Math.max(o.emptyAt, now) + drainNanos, now + CAP * drainNanos);
      crossed = !wasPaced && paced(o, now);
    }
    if (crossed) {
      if (PACED_LOG.due()) {
        LOG.warn(
            "client {}: more than {} HTTP/2 connections cut for abuse (ENHANCE_YOUR_CALM);"
                + " its new connections are let in one per {} ms until it stops; {} more"
                + " addresses paced since the last line",
            address,
            THRESHOLD,
            TimeUnit.NANOSECONDS.toMillis(admitEveryNanos.getAsLong()),
            UNLOGGED.getAndSet(0));
      } else {
        UNLOGGED.incrementAndGet();
      }
    }
  }

  /**
   * How long a new connection from {@code address} waits before it is read: 0 for at once, -1 for
   * never (closed). Reserves its turn.
   */
  long delayNanos(String address, long now) {
    Offender o = byAddress.get(address);
    if (o == null) {
      return 0;
    }
    synchronized (o) {
      if (!paced(o, now)) {
        return 0;
      }
      if (o.waiting >= MAX_WAITING) {
        return -1;
      }
      long at = Math.max(o.nextAdmitAt, now);
      o.nextAdmitAt = at + admitEveryNanos.getAsLong();
      if (at == now) {
        return 0;
      }
      o.waiting++;
      return at - now;
    }
  }

  /** A held connection was let in or closed. */
  void left(String address) {
    Offender o = byAddress.get(address);
    if (o != null) {
      synchronized (o) {
        o.waiting = Math.max(0, o.waiting - 1);
      }
    }
  }

  /** Whether {@code address}'s new connections are paced now. */
  boolean paced(String address, long now) {
    Offender o = byAddress.get(address);
    if (o == null) {
      return false;
    }
    synchronized (o) {
      return paced(o, now);
    }
  }

  /** Whether more than {@link #THRESHOLD} cuts are in {@code o}'s bucket; hold its lock. */
  private boolean paced(Offender o, long now) {
    return o.emptyAt - now > THRESHOLD * drainNanos;
  }

  int tracked() {
    return byAddress.size();
  }

  private static boolean drained(Offender o, long now) {
    synchronized (o) {
      return o.emptyAt - now <= 0 && o.waiting == 0;
    }
  }

  /**
   * Keeps a paced connection unread until its turn. Reads anyone asks for in the meantime (a TLS
   * handler, a decoder) are held back and issued at the release; then it leaves the pipeline.
   */
  private final class Hold extends ChannelDuplexHandler {
    // Set by handlerAdded, which addFirst runs at once (an accepted channel is registered), before
    // release can be scheduled.
    @SuppressWarnings("NullAway.Init")
    private ChannelHandlerContext ctx;

    private boolean released;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
      if (released) {
        ctx.read();
      }
      // held: the release turns auto-read back on, which reads
    }

    /** On the channel's event loop: the turn came, or the channel closed while it waited. */
    void release(String address) {
      if (released) {
        return;
      }
      released = true;
      left(address);
      Channel ch = ctx.channel();
      if (ch.isOpen()) {
        ctx.pipeline().remove(this);
        ch.config().setAutoRead(true);
      }
    }
  }
}
