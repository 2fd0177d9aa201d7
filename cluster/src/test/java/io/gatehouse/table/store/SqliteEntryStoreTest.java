package io.gatehouse.table.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Versioned;
import io.gatehouse.table.codec.EntryCodec;
import io.gatehouse.testing.TestRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEntryStoreTest {
  @TempDir Path dir;
  private final EntryCodec codec = new EntryCodec();

  private static Versioned put(Object value, long revision) {
    return new Versioned(EntryKey.of(value), revision, revision, 1, value, true);
  }

  private static Versioned tombstone(EntryKey key, long revision) {
    return new Versioned(key, revision, revision, 1, null, true);
  }

  @Test
  void entries_survive_a_reopen() {
    var route = TestRoutes.route("t", "api", "a", 1);
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      s.write(List.of(put(route, 3), put(new HostClaim("a.example", TenantId.of("t")), 4)));
    }
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      assertThat(s.load())
          .extracting(Versioned::value)
          .containsExactlyInAnyOrder(route, new HostClaim("a.example", TenantId.of("t")));
      assertThat(s.load()).extracting(Versioned::revision).containsExactlyInAnyOrder(3L, 4L);
    }
  }

  @Test
  void an_older_revision_never_replaces_a_newer_one() {
    var v1 = TestRoutes.route("t", "api", "a", 1);
    var v2 = TestRoutes.route("t", "api", "a", 2);
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      s.write(List.of(put(v2, 10)));
      s.write(List.of(put(v1, 9)));
      assertThat(s.load()).extracting(Versioned::value).containsExactly(v2);
    }
  }

  @Test
  void a_tombstone_is_kept_and_wins_over_older_puts() {
    var v1 = TestRoutes.route("t", "api", "a", 1);
    EntryKey key = EntryKey.of(v1);
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      s.write(List.of(put(v1, 5)));
      s.write(List.of(tombstone(key, 6)));
      s.write(List.of(put(v1, 5)));
      List<Versioned> loaded = s.load();
      assertThat(loaded).hasSize(1);
      assertThat(loaded.get(0).deleted()).isTrue();
      assertThat(loaded.get(0).revision()).isEqualTo(6);
    }
  }

  @Test
  void an_entry_this_release_cannot_read_is_skipped_and_the_rest_load() throws Exception {
    var route = TestRoutes.route("t", "api", "a", 1);
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      s.write(List.of(put(route, 3)));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("table.db"));
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO entries(key, revision, deleted, payload) VALUES (?, 4, 0, ?)")) {
      ps.setString(1, "ROUTE:t/api/from-a-later-release");
      ps.setString(2, "{\"v\":99,\"value\":{}}");
      ps.executeUpdate();
    }
    try (SqliteEntryStore s = SqliteEntryStore.open(dir, codec)) {
      assertThat(s.load()).extracting(Versioned::value).containsExactly(route);
    }
  }

  @Test
  void the_file_is_readable_by_its_owner_only() throws Exception {
    SqliteEntryStore.open(dir, codec).close();
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("table.db"))))
        .isEqualTo("rw-------");
  }
}
