package io.gatehouse.upstream;

import io.gatehouse.model.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The PROXY protocol header an upstream connection starts with (HAProxy's {@code send-proxy}): the
 * client's address and port as the proxy knows it, and the address and port the client connected
 * to. Addresses are kept in their canonical text (RFC 5952 for IPv6), so one client is one {@link
 * #key} however its address was written; a header mixing families names both in IPv6 (the IPv4 one
 * mapped, as HAProxy does), since the header has one family.
 */
public record ProxyHeader(
    ProxyProtocolVersion version,
    String source,
    int sourcePort,
    String destination,
    int destinationPort) {
  public ProxyHeader {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
  }

  /**
   * The header for these addresses (IP literals, any form), or null when one is no IP literal or a
   * port is out of range: then no connection may be opened for it (never one without the header).
   */
  public static @Nullable ProxyHeader of(
      ProxyProtocolVersion version,
      @Nullable String source,
      int sourcePort,
      @Nullable String destination,
      int destinationPort) {
    byte[] s = literal(source);
    byte[] d = literal(destination);
    if (s == null || d == null || !port(sourcePort) || !port(destinationPort)) {
      return null;
    }
    if (s.length != d.length) {
      s = v6(s);
      d = v6(d);
    }
    return new ProxyHeader(version, text(s), sourcePort, text(d), destinationPort);
  }

  /** The same addresses in {@code other}'s form. */
  public ProxyHeader withVersion(ProxyProtocolVersion other) {
    return other == version
        ? this
        : new ProxyHeader(other, source, sourcePort, destination, destinationPort);
  }

  /**
   * What tells connections carrying different headers apart in a keep-alive cache: a connection
   * names its client for its whole life, so it may only serve requests with the same header.
   */
  public String key() {
    return version.text()
        + ' '
        + source
        + ' '
        + sourcePort
        + ' '
        + destination
        + ' '
        + destinationPort;
  }

  /**
   * The header of a connection the proxy opens on its own behalf (a health check): v2's {@code
   * LOCAL} command, v1's {@code PROXY UNKNOWN}, as the specification has them for health checks and
   * HAProxy's {@code check-send-proxy} sends them. The receiver keeps the connection's own
   * addresses.
   */
  public static byte[] local(ProxyProtocolVersion version) {
    if (version == ProxyProtocolVersion.V1) {
      // The specification's line; Netty's v1 encoder writes addresses even for UNKNOWN.
      return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    HAProxyMessage message =
        new HAProxyMessage(
            HAProxyProtocolVersion.V2,
            HAProxyCommand.LOCAL,
            HAProxyProxiedProtocol.UNKNOWN,
            null,
            null,
            0,
            0);
    ByteBuf b = encode(message);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  /** The header's bytes, Netty's encoding of it ({@link HAProxyMessageEncoder}). */
  public ByteBuf encode() {
    HAProxyMessage message =
        new HAProxyMessage(
            version == ProxyProtocolVersion.V1
                ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2,
            HAProxyCommand.PROXY,
            source.indexOf(':') >= 0 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
            source,
            destination,
            sourcePort,
            destinationPort);
    return encode(message);
  }

  private static ByteBuf encode(HAProxyMessage message) {
    // The encoder is a pipeline handler: an embedded channel runs it without a connection.
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    try {
      encoder.writeOutbound(message);
      ByteBuf out = encoder.readOutbound();
      return Objects.requireNonNull(out, "the encoder writes one buffer");
    } finally {
      encoder.finishAndReleaseAll();
    }
  }

  private static boolean port(int p) {
    return p >= 0 && p <= 65535;
  }

  private static byte @Nullable [] literal(@Nullable String address) {
    if (address == null) {
      return null;
    }
    int zone = address.indexOf('%'); // a link-local scope means nothing to the upstream
    String a = zone >= 0 ? address.substring(0, zone) : address;
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    return NetUtil.createByteArrayFromIpAddressString(a);
  }

  private static byte[] v6(byte[] address) {
    if (address.length == 16) {
      return address;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(address, 0, mapped, 12, 4);
    return mapped;
  }

  private static String text(byte[] address) {
    if (address.length == 4) {
      return NetUtil.bytesToIpAddress(address);
    }
    // RFC 5952 text, a mapped IPv4 address as ::ffff:192.0.2.1 (its section 5).
    return NetUtil.toAddressString(ipv6(address), true);
  }

  private static Inet6Address ipv6(byte[] address) {
    try {
      return Inet6Address.getByAddress(null, address, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are an IPv6 address", e);
    }
  }
}
