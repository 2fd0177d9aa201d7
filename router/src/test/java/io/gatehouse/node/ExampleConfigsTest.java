package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example configuration the README and docs/ point to loads without error. */
class ExampleConfigsTest {
  static Stream<Path> examples() throws IOException {
    return Files.list(Path.of("src/main/resources/examples"))
        .filter(p -> p.getFileName().toString().matches("(quickstart|cluster-node\\d)\\.yaml"));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void each_example_config_loads(Path file) throws Exception {
    NodeConfig c = new ConfigLoader().file(file).load();
    if (file.getFileName().toString().startsWith("cluster-")) {
      assertThat(c.cluster().enabled()).isTrue();
      assertThat(c.cluster().members()).hasSize(3);
      assertThat(c.store().dir()).isNotBlank();
    } else {
      assertThat(c.cluster().enabled()).isFalse();
    }
  }

  /**
   * A configuration the README or docs/ start a node with is one that {@link
   * #each_example_config_loads} checks.
   */
  @Test
  void every_example_the_docs_start_a_node_with_is_loaded_here() throws IOException {
    Pattern config = Pattern.compile("--config router/src/main/resources/examples/([\\w.-]+)");
    List<String> loaded = examples().map(p -> p.getFileName().toString()).toList();
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Path> docs;
    try (Stream<Path> walk = Files.walk(root.resolve("docs"))) {
      docs =
          Stream.concat(
                  Stream.of(root.resolve("README.md")),
                  walk.filter(p -> p.toString().endsWith(".md")))
              .toList();
    }
    int named = 0;
    for (Path doc : docs) {
      Matcher m = config.matcher(Files.readString(doc));
      while (m.find()) {
        named++;
        assertThat(loaded).as("%s names %s", root.relativize(doc), m.group(1)).contains(m.group(1));
      }
    }
    assertThat(named).as("example configurations named in the README and docs/").isGreaterThan(3);
  }
}
