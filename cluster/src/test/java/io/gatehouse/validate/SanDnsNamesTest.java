package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SanDnsNamesTest {
  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void dns_names_are_read_and_other_entries_skipped() {
    // OCTET STRING { SEQUENCE { [6] "*", [2] "a.b" } }
    byte[] ext = bytes(0x04, 0x0a, 0x30, 0x08, 0x86, 0x01, '*', 0x82, 0x03, 'a', '.', 'b');
    assertThat(SanDnsNames.read(ext)).containsExactly("a.b");
  }

  @Test
  void a_truncated_or_foreign_shape_reads_as_nothing_rather_than_garbage() {
    assertThat(SanDnsNames.read(null)).isNull();
    assertThat(SanDnsNames.read(bytes(0x04, 0x0a, 0x30, 0x08, 0x82, 0x09, 'a'))).isNull();
    assertThat(SanDnsNames.read(bytes(0x30, 0x02, 0x82, 0x00))).isNull();
    assertThat(SanDnsNames.read(bytes(0x04, 0x04, 0x30, 0x85, 0x01, 0x01))).isNull();
  }
}
