package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's {@code errorPages.*} keys: read from every layer, checked before the node starts. */
class ErrorPagesConfigTest {
  @Test
  void none_by_default_and_read_from_env_and_flags() throws Exception {
    assertThat(NodeConfig.DEFAULTS.errorPages().codes()).isEmpty();
    assertThat(ConfigLoader.keys())
        .contains(
            "errorPages.codes",
            "errorPages.pageFile",
            "errorPages.contentType",
            "errorPages.upstream");
    NodeConfig c =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_ERROR_PAGES_CODES", "404, 503",
                    "GATEHOUSE_ERROR_PAGES_UPSTREAM", "127.0.0.1:9000"))
            .load();
    assertThat(c.errorPages().codes()).containsExactly("404", "503");
    assertThat(c.errorPages().upstream()).isEqualTo("127.0.0.1:9000");
    NodeConfig f =
        new ConfigLoader()
            .set("errorPages.codes", "502", "--set")
            .set("errorPages.pageFile", "/etc/gatehouse/502.html", "--set")
            .load();
    assertThat(f.errorPages().pageFile()).isEqualTo("/etc/gatehouse/502.html");
    assertThat(f.errorPages().contentType()).isEqualTo("text/html; charset=utf-8");
  }

  @Test
  void refused_settings_name_their_key() throws Exception {
    record Case(String name, Map<String, String> set, String key) {}
    List<Case> cases =
        List.of(
            new Case(
                "a 2xx",
                Map.of("errorPages.codes", "200", "errorPages.upstream", "127.0.0.1:9000"),
                "errorPages.codes"),
            new Case(
                "not a number",
                Map.of("errorPages.codes", "5xx", "errorPages.upstream", "127.0.0.1:9000"),
                "errorPages.codes"),
            new Case(
                "neither file nor upstream",
                Map.of("errorPages.codes", "404"),
                "errorPages.pageFile"),
            new Case(
                "both file and upstream",
                Map.of(
                    "errorPages.codes", "404",
                    "errorPages.pageFile", "/x.html",
                    "errorPages.upstream", "127.0.0.1:9000"),
                "errorPages.pageFile"),
            new Case(
                "an upstream without port",
                Map.of("errorPages.codes", "404", "errorPages.upstream", "errors"),
                "errorPages.upstream"),
            new Case(
                "a content type without subtype",
                Map.of(
                    "errorPages.codes", "404",
                    "errorPages.pageFile", "/x.html",
                    "errorPages.contentType", "html"),
                "errorPages.contentType"));
    for (Case c : cases) {
      ConfigLoader l = new ConfigLoader();
      for (Map.Entry<String, String> e : c.set().entrySet()) {
        l.set(e.getKey(), e.getValue(), "--set");
      }
      assertThatThrownBy(l::load)
          .as(c.name())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(c.key());
    }
  }
}
