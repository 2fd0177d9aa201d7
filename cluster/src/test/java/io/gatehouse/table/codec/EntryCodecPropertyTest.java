package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.table.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Any list of backends round-trips, and the payload is format 1 exactly when the route has one
 * static backend at weight 1: the shape an older release reads as it was meant.
 */
class EntryCodecPropertyTest {
  private final EntryCodec codec = new EntryCodec();

  private static final List<BackendRef> REFS =
      List.of(
          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))),
          new BackendSpec(
              UpstreamProtocol.H2,
              List.of(new Endpoint("::1", 443, 0)),
              new UpstreamTls(null, false, "svc.internal", false, null)),
          new BackendRef.Named("shared"),
          new BackendRef.ServicePort("web", 8080, null, UpstreamProtocol.H2C, null),
          new BackendRef.ServicePort("web", 0, "grpc", UpstreamProtocol.HTTP1, null));

  private static Gen<RouteBackend> backends() {
    return integers()
        .between(0, REFS.size() - 1)
        .zip(integers().between(0, 3), (ref, weight) -> new RouteBackend(REFS.get(ref), weight));
  }

  @Test
  void every_list_of_backends_round_trips_in_the_oldest_format_that_expresses_it() {
    RouteSpec base = EntryCodecTest.oneStaticBackend();
    qt().forAll(lists().of(backends()).ofSizeBetween(1, 4))
        .checkAssert(
            list -> {
              RouteSpec route = base.withBackends(list);
              String json = codec.encode(route);
              boolean format1 =
                  list.size() == 1
                      && list.get(0).weight() == 1
                      && list.get(0).ref() instanceof BackendSpec;
              assertThat(json).startsWith(format1 ? "{\"v\":1," : "{\"v\":2,");
              assertThat(codec.decode(EntryKind.ROUTE, json)).isEqualTo(route);
            });
  }
}
