package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.table.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entry format 13 (issue #17): a listener with client certificates or listener hostnames. A format
 * 12 reader would serve the socket without asking for a certificate, so it refuses the payload;
 * every other listener keeps format 9 and its bytes.
 */
class FrontendListenerCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static final ListenerKey KEY = ListenerKey.of("infra", "k8s", "gateway/infra/gw/443");
  private static final String CA = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";

  private static ListenerSpec https(FrontendValidation v, List<String> hostnames) {
    return new ListenerSpec(KEY, "127.0.1.10", 443, ListenerProtocol.HTTPS, null, v, hostnames);
  }

  @Test
  void client_validation_or_hostnames_are_format_13_and_round_trip() {
    for (ListenerSpec l :
        List.of(
            https(new FrontendValidation(CA, false), List.of()),
            https(new FrontendValidation(CA, true), List.of()),
            https(null, List.of("", "second.example.org", "*.wildcard.org")))) {
      assertThat(codec.formatOf(l)).isEqualTo(13);
      String payload = codec.encode(l);
      assertThat(payload).startsWith("{\"v\":13,");
      assertThat(codec.decode(EntryKind.LISTENER, payload)).isEqualTo(l);
      assertThatThrownBy(() -> new EntryCodec(12).decode(EntryKind.LISTENER, payload))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload format 13 is not readable");
    }
  }

  @Test
  void a_listener_without_them_keeps_format_9_and_its_bytes() {
    ListenerSpec plain = new ListenerSpec(KEY, "127.0.1.10", 443, ListenerProtocol.HTTPS);
    assertThat(codec.formatOf(plain)).isEqualTo(9);
    String payload = codec.encode(plain);
    assertThat(payload).doesNotContain("clientValidation").doesNotContain("hostnames");
    assertThat(payload).isEqualTo(new EntryCodec(12).encode(plain));
    assertThat(new EntryCodec(12).decode(EntryKind.LISTENER, payload)).isEqualTo(plain);
  }
}
