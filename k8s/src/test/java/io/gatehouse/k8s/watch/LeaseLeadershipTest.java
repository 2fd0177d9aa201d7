package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kubernetes.client.openapi.ApiClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  /**
   * An API server that keeps one Lease (404 until posted; get, create and update answer as the API
   * server does) until {@link #hang} is set; from then on it reads every request and never answers,
   * as a hung API server or a black-holed network does. Counts the requests left hanging and those
   * the client gave up on.
   */
  private static final class HangsAfterAcquire implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger hung = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean hang;
    private volatile String lease;

    HangsAfterAcquire() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    open.add(s);
                    Thread t = new Thread(() -> serve(s), "hanging-api-server-connection");
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "hanging-api-server");
      thread.start();
    }

    private void serve(Socket s) {
      try (s;
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream()) {
        while (true) {
          String head = readHead(in);
          if (head == null) {
            return;
          }
          byte[] body = in.readNBytes(contentLength(head));
          requests.incrementAndGet();
          if (!hang && head.startsWith("GET ") && lease == null) {
            respond(
                out,
                "404 Not Found",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"NotFound\",\"code\":404}");
          } else if (!hang && head.startsWith("GET ")) {
            respond(out, "200 OK", lease);
          } else if (!hang && (head.startsWith("POST ") || head.startsWith("PUT "))) {
            lease = new String(body, StandardCharsets.UTF_8);
            respond(out, head.startsWith("POST ") ? "201 Created" : "200 OK", lease);
          } else {
            hung.incrementAndGet();
            // never answer; the client may only give up by closing
            while (in.read() >= 0) {
              // discard
            }
            abandoned.incrementAndGet();
            return;
          }
        }
      } catch (IOException e) {
        // closed by the test
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        if (matched == 4) {
          return head.toString(StandardCharsets.ISO_8859_1);
        }
      }
      return null;
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return 0;
    }

    private static void respond(OutputStream out, String status, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("HTTP/1.1 "
                  + status
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
      thread.join(5_000);
    }
  }

  @Test
  void a_leader_whose_renewal_hangs_steps_down_at_the_renew_deadline_and_the_call_is_cut()
      throws Exception {
    Duration leaseDuration = Duration.ofSeconds(3);
    AtomicLong ledAt = new AtomicLong();
    AtomicLong hungAt = new AtomicLong();
    AtomicLong steppedDownAt = new AtomicLong();
    HangsAfterAcquire server = new HangsAfterAcquire();
    // as KubernetesWiring builds the client the watches share: no read timeout
    LeaseLeadership lease =
        LeaseLeadership.forLease(
            new ApiClient().setBasePath(server.url()).setReadTimeout(0),
            "ns",
            "lease",
            "me",
            leaseDuration,
            leading -> (leading ? ledAt : steppedDownAt).compareAndSet(0, System.nanoTime()));
    try {
      lease.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> ledAt.get() != 0);
      hungAt.set(System.nanoTime());
      server.hang = true;
      await().atMost(Duration.ofSeconds(20)).until(() -> server.hung.get() >= 1);
      await().atMost(Duration.ofSeconds(15)).until(() -> steppedDownAt.get() != 0);
      assertThat(lease.isLeader()).isFalse();
      long heldMs = TimeUnit.NANOSECONDS.toMillis(steppedDownAt.get() - hungAt.get());
      System.out.println("leader held " + heldMs + " ms after the API server hung");
      // the last renewal started before the server hung, so renewDeadline (2 s) after it at the
      // latest; another replica may take over one leaseDuration after it: step down before that
      assertThat(heldMs).isLessThan(leaseDuration.toMillis());
      // the hung call was cut rather than left waiting: the loop tries again
      int before = server.requests.get();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.abandoned.get() >= 1 && server.requests.get() > before);
    } finally {
      server.close(); // first: unblocks a call the unfixed code would wait on forever
      lease.close();
    }
  }

  @Test
  void an_unreachable_api_server_is_logged_once_not_at_every_retry_and_names_the_transport_error()
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
