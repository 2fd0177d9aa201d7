package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example configuration the README points to loads without error. */
class ExampleConfigsTest {
  static Stream<Path> examples() throws IOException {
    return Files.list(Path.of("src/main/resources/examples"))
        .filter(p -> p.getFileName().toString().matches("(quickstart|cluster-node\\d)\\.yaml"));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void loads(Path file) throws Exception {
    NodeConfig c = new ConfigLoader().file(file).load();
    if (file.getFileName().toString().startsWith("cluster-")) {
      assertThat(c.cluster().enabled()).isTrue();
      assertThat(c.cluster().members()).hasSize(3);
      assertThat(c.store().dir()).isNotBlank();
    } else {
      assertThat(c.cluster().enabled()).isFalse();
    }
  }
}
