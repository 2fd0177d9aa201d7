package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which idle events {@link Http1KeepAliveGate} passes on to the connection (which closes). */
class Http1KeepAliveGateTest {
  private boolean inFlight;
  private long sendLimit = TimeUnit.SECONDS.toNanos(8);
  private final List<Object> passed = new ArrayList<>();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new IdleStateHandler(0, 0, 2, TimeUnit.SECONDS),
          new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
              passed.add(evt);
            }
          });

  private final Http1KeepAliveGate.Exchange exchange =
      new Http1KeepAliveGate.Exchange() {
        @Override
        public boolean requestInFlight() {
          return inFlight;
        }

        @Override
        public long sendLimitNanos() {
          return sendLimit;
        }
      };

  private final Http1KeepAliveGate gate = Http1KeepAliveGate.install(channel, exchange);

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private boolean passes(IdleStateEvent evt) {
    passed.clear();
    channel.pipeline().context(IdleStateHandler.class).fireUserEventTriggered(evt);
    return passed.contains(evt);
  }

  @Test
  void sits_behind_the_idle_handler() {
    assertThat(gate).isNotNull();
    List<String> names = channel.pipeline().names();
    int idle = names.indexOf(channel.pipeline().context(IdleStateHandler.class).name());
    assertThat(names.get(idle + 1)).isEqualTo(channel.pipeline().context(gate).name());
  }

  @Test
  void is_not_installed_without_an_idle_handler() {
    EmbeddedChannel plain = new EmbeddedChannel();
    assertThat(Http1KeepAliveGate.install(plain, exchange)).isNull();
    plain.finishAndReleaseAll();
  }

  /** {@link CleartextPreface}'s gate for the first head is taken over by the connection's. */
  @Test
  void a_second_install_hands_the_gate_over() {
    Http1KeepAliveGate.Exchange busy =
        new Http1KeepAliveGate.Exchange() {
          @Override
          public boolean requestInFlight() {
            return true;
          }

          @Override
          public long sendLimitNanos() {
            return 0;
          }
        };
    assertThat(Http1KeepAliveGate.install(channel, busy)).isSameAs(gate);
    assertThat(channel.pipeline().names().stream().filter(n -> n.startsWith("Http1KeepAliveGate#")))
        .hasSize(1);
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isFalse();
  }

  @Test
  void a_connection_between_requests_is_closed() {
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isTrue();
  }

  @Test
  void a_request_in_flight_holds_every_idle_event_back() {
    inFlight = true;
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isFalse();
    for (int i = 0; i < 10; i++) {
      assertThat(passes(IdleStateEvent.ALL_IDLE_STATE_EVENT)).isFalse();
    }
    inFlight = false;
    assertThat(passes(IdleStateEvent.ALL_IDLE_STATE_EVENT)).isTrue();
  }

  @Test
  void other_events_pass() {
    inFlight = true;
    assertThat(passes(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT)).isFalse();
    passed.clear();
    channel.pipeline().fireUserEventTriggered("something else");
    assertThat(passed).containsExactly("something else");
  }

  /** 8 s send limit, 2 s keep-alive: events at 2, 4, 6 s are held, the one at 8 s closes. */
  @Test
  void an_unread_end_of_a_response_is_held_until_the_send_limit() {
    channel.write(Unpooled.wrappedBuffer(new byte[100]));
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isFalse();
    assertThat(passes(IdleStateEvent.ALL_IDLE_STATE_EVENT)).isFalse();
    assertThat(passes(IdleStateEvent.ALL_IDLE_STATE_EVENT)).isFalse();
    assertThat(passes(IdleStateEvent.ALL_IDLE_STATE_EVENT)).isTrue();
    // A read or write in between starts the count again.
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isFalse();
  }

  @Test
  void a_send_limit_shorter_than_keep_alive_closes_at_the_first_event() {
    sendLimit = TimeUnit.SECONDS.toNanos(1);
    channel.write(Unpooled.wrappedBuffer(new byte[100]));
    assertThat(passes(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT)).isTrue();
  }
}
