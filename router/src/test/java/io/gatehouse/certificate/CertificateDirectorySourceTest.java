package io.gatehouse.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CertificateDirectorySourceTest {
  static final ServedCertificate GENERATED = DefaultCertificate.generate(Clock.systemUTC());

  @TempDir Path dir;
  Vertx vertx;
  CertificateIndexHolder holder;
  AtomicReference<CertificateIndex> index;
  volatile Instant now = Instant.now();
  CertificateDirectorySource source;

  /** A clock the test moves. */
  final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    holder = new CertificateIndexHolder(GENERATED, clock);
    index = holder.ref();
  }

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.stop();
    }
    vertx.close().await();
  }

  private void start(String defaultName) throws Exception {
    source =
        new CertificateDirectorySource(
            vertx, dir, Duration.ofMillis(20), defaultName, clock, holder);
    source.start().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_named_default_is_served_and_kept_across_unchanged_polls() throws Exception {
    TestCertificates.writePair(dir, "main", "main.example");
    start("main");
    ServedCertificate served = index.get().defaultCertificate();
    assertThat(served.name()).isEqualTo("default/main");
    TestCertificates.writePem(dir, "other", "other.example");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> index.get().certificates().size() == 2);
    assertThat(index.get().defaultCertificate()).isSameAs(served);
  }

  @Test
  void a_missing_default_falls_back_to_the_generated_certificate() throws Exception {
    TestCertificates.writePair(dir, "a", "a.example");
    start("nope");
    assertThat(index.get().defaultCertificate()).isSameAs(GENERATED);
    assertThat(index.get().lookup("a.example").name()).isEqualTo("default/a");
  }

  @Test
  void an_expired_certificate_stops_being_served_without_a_file_change() throws Exception {
    TestCertificates.writePair(dir, "a", "a.example");
    start("");
    assertThat(index.get().lookup("a.example").name()).isEqualTo("default/a");
    now = now.plus(Duration.ofDays(2));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> index.get().certificates().isEmpty());
    assertThat(index.get().lookup("a.example")).isSameAs(GENERATED);
  }

  @Test
  void a_removed_file_is_no_longer_served() throws Exception {
    TestCertificates.writePair(dir, "a", "a.example");
    start("");
    Files.delete(dir.resolve("a.key"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> index.get().certificates().isEmpty());
  }

  @Test
  void a_missing_directory_fails_the_start() {
    source =
        new CertificateDirectorySource(
            vertx, dir.resolve("absent"), Duration.ofMillis(20), "", clock, holder);
    assertThatThrownBy(() -> source.start().await(10, TimeUnit.SECONDS))
        .hasMessageContaining("absent");
  }
}
