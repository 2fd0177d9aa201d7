package io.gatehouse.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the client refuses before it talks to a server, and what its outcomes never show. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AcmeClientTest {
  @Test
  void hosts_that_http_01_cannot_prove_are_refused_as_data() {
    assertThat(AcmeClient.refusal(List.of())).contains("at least one");
    assertThat(AcmeClient.refusal(List.of("*.example.com"))).contains("wildcard");
    assertThat(AcmeClient.refusal(List.of("a.example", "a.example"))).contains("each host once");
    assertThat(AcmeClient.refusal(List.of("a.example", "b.example"))).isNull();
  }

  @Test
  void a_refused_order_never_reaches_the_server() throws Exception {
    Vertx vertx = Vertx.vertx();
    // nothing listens at port 1 on loopback: a request would end as a network failure
    AcmeOptions options = AcmeOptions.of(URI.create("https://127.0.0.1:1/dir"), null);
    try (AcmeClient client =
        new AcmeClient(vertx, options, AcmeAccount.generate(), new InMemoryChallengeStore())) {
      OrderOutcome outcome = client.order(List.of("*.Example.com")).await(10, TimeUnit.SECONDS);

      assertThat(outcome).isInstanceOf(OrderOutcome.Refused.class);
      assertThat(outcome.hosts()).containsExactly("*.example.com");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void a_server_that_never_answers_ends_as_a_failed_outcome_naming_the_step() throws Exception {
    Vertx vertx = Vertx.vertx();
    // accepts connections (the kernel's backlog) and never answers the TLS hello
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      AcmeOptions options =
          AcmeOptions.of(URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/dir"), null)
              .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
      try (AcmeClient client =
          new AcmeClient(vertx, options, AcmeAccount.generate(), new InMemoryChallengeStore())) {
        OrderOutcome outcome = client.order(List.of("a.example")).await(20, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(OrderOutcome.Failed.class);
        assertThat(((OrderOutcome.Failed) outcome).step()).isEqualTo("account");
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void the_account_never_shows_its_key() {
    AcmeAccount account = AcmeAccount.generate();

    assertThat(account.toString()).isEqualTo("AcmeAccount[EC key]");
  }
}
