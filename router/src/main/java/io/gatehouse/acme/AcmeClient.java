package io.gatehouse.acme;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders certificates from one ACME server for one account, answering HTTP-01 through a {@link
 * ChallengeStore}. Each order runs on this client's own worker thread (acme4j blocks), one at a
 * time, never on an event loop; every wait is bounded by {@link AcmeOptions}, and every end is an
 * {@link OrderOutcome}, never an exception. Progress is logged at debug; an issued certificate gets
 * one info line (hosts, notAfter), never a key.
 */
public final class AcmeClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AcmeClient.class);

  /** acme4j's own text when a poll's time box runs out (it has no exception type for it). */
  private static final String ACME4J_TIMEOUT = "Timeout has been reached";

  private final AcmeOptions options;
  private final AcmeAccount account;
  private final ChallengeStore challenges;
  private final WorkerExecutor worker;

  public AcmeClient(
      Vertx vertx, AcmeOptions options, AcmeAccount account, ChallengeStore challenges) {
    this.options = options;
    this.account = account;
    this.challenges = challenges;
    // One thread: orders of one node wait for each other, and a long order only warns after 10 min.
    this.worker = vertx.createSharedWorkerExecutor("gatehouse-acme", 1, 10, TimeUnit.MINUTES);
  }

  /** Orders one certificate naming {@code hosts} (the first is the subject). */
  public Future<OrderOutcome> order(List<String> hosts) {
    List<String> names = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    String refusal = refusal(names);
    if (refusal != null) {
      return Future.succeededFuture(new OrderOutcome.Refused(names, refusal));
    }
    return worker.executeBlocking(() -> orderBlocking(names), false);
  }

  /** Why {@code hosts} cannot be ordered with HTTP-01, or null when they can. */
  static @Nullable String refusal(List<String> hosts) {
    if (hosts.isEmpty()) {
      return "hosts: [] (expected: at least one)";
    }
    for (String h : hosts) {
      if (h.isEmpty() || h.startsWith("*.")) {
        return "hosts: \"" + h + "\" (expected: a host name; HTTP-01 cannot prove a wildcard)";
      }
    }
    if (hosts.stream().distinct().count() != hosts.size()) {
      return "hosts: " + hosts + " (expected: each host once)";
    }
    return null;
  }

  private OrderOutcome orderBlocking(List<String> hosts) {
    List<String> published = new ArrayList<>();
    Step step = new Step();
    try {
      step.at("account", options.requestTimeout());
      Login login = login();
      step.at("new-order", options.requestTimeout());
      Order order = login.getAccount().newOrder().domains(hosts).create();
      LOG.debug("ACME order for {}: {}", hosts, order.getLocation());
      for (Authorization auth : order.getAuthorizations()) {
        String host = auth.getIdentifier().getDomain();
        if (auth.getStatus() == Status.VALID) {
          continue; // the server still trusts an earlier proof for this host
        }
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElse(null);
        if (challenge == null) {
          return new OrderOutcome.ChallengeInvalid(
              hosts, host, "the server offers no http-01 challenge for this host");
        }
        challenges.publish(challenge.getToken(), challenge.getAuthorization());
        published.add(challenge.getToken());
        step.at("challenge " + host, options.challengeTimeout());
        challenge.trigger();
        Status s = challenge.waitForCompletion(options.challengeTimeout());
        LOG.debug("ACME http-01 for {}: {}", host, s);
        if (s != Status.VALID) {
          return new OrderOutcome.ChallengeInvalid(
              hosts, host, describe(challenge.getError().orElse(null), s));
        }
      }
      step.at("order ready", options.orderTimeout());
      Status ready = order.waitUntilReady(options.orderTimeout());
      if (ready != Status.READY) {
        return new OrderOutcome.Failed(
            hosts, step.name, describe(order.getError().orElse(null), ready));
      }
      step.at("finalize", options.orderTimeout());
      // a fresh key for every certificate: a renewal never reuses a key that may have leaked
      KeyPair certificateKey = AcmeAccount.newP256();
      order.execute(certificateKey);
      Status done = order.waitForCompletion(options.orderTimeout());
      if (done != Status.VALID) {
        return new OrderOutcome.Failed(
            hosts, step.name, describe(order.getError().orElse(null), done));
      }
      step.at("download", options.requestTimeout());
      List<X509Certificate> chain = order.getCertificate().getCertificateChain();
      OrderOutcome.Issued issued =
          new OrderOutcome.Issued(hosts, chain, certificateKey.getPrivate());
      LOG.info("ACME: issued a certificate for {}, notAfter {}", hosts, issued.notAfter());
      return issued;
    } catch (AcmeRateLimitedException e) {
      return new OrderOutcome.RateLimited(
          hosts, describe(e.getProblem(), null), e.getRetryAfter().orElse(null));
    } catch (AcmeServerException e) {
      return new OrderOutcome.ServerError(
          hosts, step.name, String.valueOf(e.getType()), describe(e.getProblem(), null));
    } catch (AcmeNetworkException e) {
      return new OrderOutcome.Failed(hosts, step.name, "network: " + e.getMessage());
    } catch (AcmeException e) {
      if (ACME4J_TIMEOUT.equals(e.getMessage())) {
        return new OrderOutcome.TimedOut(hosts, step.name, step.bound);
      }
      return new OrderOutcome.Failed(hosts, step.name, String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new OrderOutcome.Failed(hosts, step.name, "interrupted (the node is stopping)");
    } catch (RuntimeException e) {
      // acme4j reports malformed answers and lazy-loading failures unchecked
      return new OrderOutcome.Failed(hosts, step.name, e.toString());
    } finally {
      published.forEach(challenges::withdraw);
    }
  }

  private Login login() throws AcmeException {
    Session session = new Session(options.directory(), new TrustingProvider(options.trust()));
    session.networkSettings().setTimeout(options.requestTimeout());
    AccountBuilder b = new AccountBuilder().useKeyPair(account.keyPair());
    options.contacts().forEach(b::addContact);
    if (options.agreeToTerms()) {
      b.agreeToTermsOfService();
    }
    // Finds the account of this key, or makes it: the server keys accounts by public key.
    return b.createLogin(session);
  }

  private static String describe(@Nullable Problem problem, @Nullable Status status) {
    String s = status == null ? "" : "status " + status.name().toLowerCase(Locale.ROOT);
    if (problem == null) {
      return s;
    }
    String detail = problem.getDetail().orElse("");
    String text = problem.getType() + (detail.isEmpty() ? "" : ": " + detail);
    return s.isEmpty() ? text : s + ", " + text;
  }

  @Override
  public void close() {
    worker.close();
  }

  /** The step an order is at, for the outcome when it ends there. */
  private static final class Step {
    String name = "start";
    Duration bound = Duration.ZERO;

    void at(String name, Duration bound) {
      this.name = name;
      this.bound = bound;
      LOG.debug("ACME step: {}", name);
    }
  }

  /** acme4j's generic provider (any http/https directory), with our trust for the server. */
  private static final class TrustingProvider extends GenericAcmeProvider {
    private final @Nullable SSLContext trust;

    TrustingProvider(@Nullable SSLContext trust) {
      this.trust = trust;
    }

    @Override
    protected HttpConnector createHttpConnector(NetworkSettings settings) {
      SSLContext ssl = trust;
      return new HttpConnector(settings) {
        @Override
        public HttpClient.Builder createClientBuilder() {
          HttpClient.Builder b = super.createClientBuilder();
          return ssl == null ? b : b.sslContext(ssl);
        }
      };
    }
  }
}
