package io.gatehouse.admin.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven cases for the pure translators. */
class TranslateTest {
  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("zero", "0", Optional.of(Duration.ZERO)),
        Arguments.of("millis", "250ms", Optional.of(Duration.ofMillis(250))),
        Arguments.of("days", "2d", Optional.of(Duration.ofDays(2))),
        Arguments.of("no-unit-refused", "10", Optional.empty()),
        Arguments.of("iso-refused", "PT10S", Optional.empty()),
        Arguments.of("negative-refused", "-1s", Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void duration(String name, String text, Optional<Duration> expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
    expected.ifPresent(d -> assertThat(Durations.parse(Durations.format(d))).contains(d));
  }

  static Stream<Arguments> pointers() {
    return Stream.of(
        Arguments.of("paths[0].value", "/paths/0/value"),
        Arguments.of("backend.endpoints[3].host", "/backend/endpoints/3/address"),
        Arguments.of("backend.endpoints[3].port", "/backend/endpoints/3/address"),
        Arguments.of("limits.maxRequestBodyBytes", "/maxRequestBodyBytes"),
        Arguments.of("tls.certificateName", "/tls/certificate"),
        Arguments.of("tls.hsts.maxAge", "/tls/hsts/maxAge"),
        Arguments.of("certificateChainPem[2]", "/certificateChainPem"),
        Arguments.of("privateKey", "/privateKeyPem"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pointers")
  void pointer(String field, String pointer) {
    assertThat(Pointers.fromField(field)).isEqualTo(pointer);
  }

  static Stream<Arguments> addresses() {
    return Stream.of(
        Arguments.of("host-port", "a.example:80", "a.example:80"),
        Arguments.of("ipv6", "[::1]:8080", "[::1]:8080"),
        Arguments.of("no-port", "a.example", null),
        Arguments.of("port-zero", "a.example:0", null),
        Arguments.of("bare-ipv6", "::1:80", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addresses")
  void address(String name, String text, String authority) {
    var e = Addresses.parse(text, 1);
    assertThat(e == null ? null : e.authority()).isEqualTo(authority);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void route_round_trips(String name, String json) {
    JsonObject in = new JsonObject(json);
    Translated<RouteSpec> t = RouteJson.fromJson(RouteKey.of("acme", "api", "web"), in);
    assertThat(t.errors()).isEmpty();
    JsonObject out = RouteJson.toJson(t.value(), 3);
    Translated<RouteSpec> again = RouteJson.fromJson(RouteKey.of("acme", "api", "web"), strip(out));
    assertThat(again.value()).isEqualTo(t.value());
  }

  static Stream<Arguments> routes() {
    return Stream.of(
        Arguments.of(
            "minimal",
            "{\"hosts\":[\"a.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}"),
        Arguments.of(
            "everything",
            "{\"hosts\":[\"a.example\"],\"paths\":[{\"type\":\"Exact\",\"value\":\"/x\"}],\"methods\":[\"GET\"],"
                + "\"headers\":[{\"name\":\"x\",\"type\":\"Present\"}],\"queries\":[{\"name\":\"q\",\"value\":\"1\"}],"
                + "\"backend\":{\"protocol\":\"h2c\",\"endpoints\":[{\"address\":\"[::1]:80\",\"weight\":5}]},"
                + "\"timeouts\":{\"connect\":\"1s\",\"request\":\"0\"},\"maxRequestBodyBytes\":0,\"priority\":-3,"
                + "\"tls\":{\"certificate\":\"c\",\"redirect\":\"off\",\"hsts\":{\"maxAge\":\"365d\",\"includeSubDomains\":true,\"preload\":true}}}"));
  }

  private static JsonObject strip(JsonObject out) {
    JsonObject c = out.copy();
    c.remove("name");
    c.remove("tenant");
    c.remove("revision");
    return c;
  }
}
