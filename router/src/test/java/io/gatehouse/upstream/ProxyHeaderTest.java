package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The PROXY header's text, bytes and keys, read back by Netty's own decoder. */
@Timeout(10)
class ProxyHeaderTest {
  private static HAProxyMessage decode(ProxyHeader h) {
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    try {
      ch.writeInbound(h.encode());
      return ch.readInbound();
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void v1_is_the_text_line() {
    ProxyHeader h = ProxyHeader.of(ProxyProtocolVersion.V1, "192.0.2.7", 40000, "10.0.0.1", 80);
    ByteBuf b = h.encode();
    try {
      assertThat(b.toString(StandardCharsets.US_ASCII))
          .isEqualTo("PROXY TCP4 192.0.2.7 10.0.0.1 40000 80\r\n");
    } finally {
      b.release();
    }
  }

  @Test
  void a_checks_header_is_v1_unknown_or_v2_local() {
    assertThat(new String(ProxyHeader.local(ProxyProtocolVersion.V1), StandardCharsets.US_ASCII))
        .isEqualTo("PROXY UNKNOWN\r\n");
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(ProxyHeader.local(ProxyProtocolVersion.V2)));
      HAProxyMessage m = ch.readInbound();
      assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
      assertThat(m.command()).isEqualTo(HAProxyCommand.LOCAL);
      assertThat(m.sourceAddress()).isNull();
      m.release();
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  static Stream<Arguments> addresses() {
    return Stream.of(
        Arguments.of("ipv4", "192.0.2.7", "10.0.0.1", "TCP4", "192.0.2.7", "10.0.0.1"),
        Arguments.of(
            "ipv6-in-javas-long-form",
            "2001:db8:0:0:0:0:0:1",
            "[::1]",
            "TCP6",
            "2001:db8::1",
            "::1"),
        Arguments.of(
            "mixed-families-as-ipv6", "192.0.2.7", "::1", "TCP6", "::ffff:192.0.2.7", "::1"),
        Arguments.of("a-link-local-scope-dropped", "fe80::1%lo", "::1", "TCP6", "fe80::1", "::1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addresses")
  void both_versions_decode_to_the_same_addresses(
      String name, String src, String dst, String family, String srcText, String dstText) {
    for (ProxyProtocolVersion v : ProxyProtocolVersion.values()) {
      ProxyHeader h = ProxyHeader.of(v, src, 1234, dst, 443);
      assertThat(h).isNotNull();
      assertThat(h.source()).isEqualTo(srcText);
      assertThat(h.destination()).isEqualTo(dstText);
      HAProxyMessage m = decode(h);
      try {
        assertThat(m.protocolVersion())
            .isEqualTo(
                v == ProxyProtocolVersion.V1
                    ? HAProxyProtocolVersion.V1
                    : HAProxyProtocolVersion.V2);
        assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.valueOf(family));
        assertThat(m.sourcePort()).isEqualTo(1234);
        assertThat(m.destinationPort()).isEqualTo(443);
        assertThat(ProxyHeader.of(v, m.sourceAddress(), 1234, m.destinationAddress(), 443))
            .isEqualTo(h);
      } finally {
        m.release();
      }
    }
  }

  @Test
  void no_header_for_what_is_no_ip_literal_or_port() {
    assertThat(ProxyHeader.of(ProxyProtocolVersion.V2, "unknown", 1, "127.0.0.1", 80)).isNull();
    assertThat(ProxyHeader.of(ProxyProtocolVersion.V2, "client.example", 1, "127.0.0.1", 80))
        .isNull();
    assertThat(ProxyHeader.of(ProxyProtocolVersion.V2, null, 1, "127.0.0.1", 80)).isNull();
    assertThat(ProxyHeader.of(ProxyProtocolVersion.V2, "127.0.0.1", 65536, "127.0.0.1", 80))
        .isNull();
  }

  @Test
  void the_key_tells_clients_and_destinations_apart() {
    ProxyHeader a = ProxyHeader.of(ProxyProtocolVersion.V1, "10.0.0.1", 1000, "10.0.0.9", 80);
    assertThat(a.key())
        .isEqualTo(ProxyHeader.of(ProxyProtocolVersion.V1, "10.0.0.1", 1000, "10.0.0.9", 80).key())
        .isNotEqualTo(
            ProxyHeader.of(ProxyProtocolVersion.V1, "10.0.0.2", 1000, "10.0.0.9", 80).key())
        .isNotEqualTo(
            ProxyHeader.of(ProxyProtocolVersion.V1, "10.0.0.1", 1001, "10.0.0.9", 80).key())
        .isNotEqualTo(
            ProxyHeader.of(ProxyProtocolVersion.V1, "10.0.0.1", 1000, "10.0.0.9", 443).key())
        .isNotEqualTo(a.withVersion(ProxyProtocolVersion.V2).key());
  }
}
