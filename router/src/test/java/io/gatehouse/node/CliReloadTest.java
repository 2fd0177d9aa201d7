package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.accesslog.AccessFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload reads: the file again, under the same environment and flags as at start. */
class CliReloadTest {
  @TempDir Path dir;

  static Cli.Run run(String[] args, Map<String, String> env) {
    StringWriter err = new StringWriter();
    Cli.Result r = Cli.parse(args, env, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(r).as(err.toString()).isInstanceOf(Cli.Run.class);
    return (Cli.Run) r;
  }

  @Test
  void a_reread_takes_the_new_file_and_the_environment_and_flags_still_win() throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, "log: {level: info, accessFields: [route]}\n");
    Cli.Run run =
        run(
            new String[] {"--config", file.toString(), "--log-level", "debug"},
            Map.of("GATEHOUSE_LOG_ACCESS_FORMAT", "text"));
    assertThat(run.configFile()).isEqualTo(file);
    assertThat(run.config().log().level()).isEqualTo("debug");
    Files.writeString(
        file, "log: {level: warn, accessFormat: json, accessFields: [status, requestId]}\n");
    NodeConfig again = run.reread().read();
    assertThat(again.log().level()).isEqualTo("debug"); // the flag
    assertThat(again.log().accessFormat()).isEqualTo(AccessFormat.TEXT); // the environment
    assertThat(again.log().accessFields()).isEqualTo(List.of("status", "requestId")); // the file
  }

  @Test
  void a_reread_of_a_bad_file_fails_with_the_key() throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, "log: {level: info}\n");
    Cli.Run run = run(new String[] {"--config", file.toString()}, Map.of());
    Files.writeString(file, "log: {level: loud}\n");
    assertThatThrownBy(() -> run.reread().read())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"log.level\"");
  }

  @Test
  void without_a_file_there_is_nothing_to_watch() {
    Cli.Run run = run(new String[] {}, Map.of());
    assertThat(run.configFile()).isNull();
  }
}
