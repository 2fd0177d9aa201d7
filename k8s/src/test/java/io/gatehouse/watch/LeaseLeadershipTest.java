package io.gatehouse.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(30)
class LeaseLeadershipTest {

  /** An API server that accepts every connection and closes it unanswered, counting them. */
  private static final class Unanswering implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread thread;

    Unanswering() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "unanswering-api-server");
      thread.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(5_000);
    }
  }

  @Test
  void anUnreachableApiServerIsLoggedOnceNotAtEveryRetryAndNamesTheTransportError()
      throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(LeaseLeadership.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (Unanswering server = new Unanswering();
        LeaseLeadership lease =
            LeaseLeadership.forLease(
                new ApiClient().setBasePath(server.url()),
                "ns",
                "lease",
                "me",
                Duration.ofMillis(600),
                leading -> {})) {
      lease.start();
      // a retry every 80 ms: many failed attempts
      await().atMost(Duration.ofSeconds(20)).until(() -> server.accepted.get() >= 10);
      List<ILoggingEvent> warnings =
          appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0).getKeyValuePairs())
          .anySatisfy(
              kv -> {
                assertThat(kv.key).isEqualTo("error");
                assertThat(String.valueOf(kv.value)).isNotEqualTo("0 null").contains("Exception");
              });
      assertThat(lease.isLeader()).isFalse();
    } finally {
      logger.detachAppender(appender);
    }
  }
}
