package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ThreadDumpOnTimeoutTest {
  @Test
  void timeouts_are_recognised_through_their_causes_and_other_failures_are_not() {
    assertThat(ThreadDumpOnTimeout.isTimeout(new TimeoutException())).isTrue();
    assertThat(ThreadDumpOnTimeout.isTimeout(new RuntimeException(new TimeoutException())))
        .isTrue();
    assertThat(
            ThreadDumpOnTimeout.isTimeout(
                new io.vertx.core.VertxException(
                    "The timeout period of 5000ms has been exceeded"
                        + " while executing GET / for server 127.0.0.1:1; timed out")))
        .isTrue();
    assertThat(ThreadDumpOnTimeout.isTimeout(new AssertionError("expected 200 but was 404")))
        .isFalse();
  }

  @Test
  void the_dump_names_the_current_thread_and_its_frames() {
    String dump = ThreadDumpOnTimeout.dump();
    assertThat(dump).contains('"' + Thread.currentThread().getName() + '"');
    assertThat(dump).contains("ThreadDumpOnTimeoutTest.the_dump_names_the_current_thread");
  }
}
