package io.gatehouse.table.store;

import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryStore;
import io.gatehouse.table.Versioned;
import io.gatehouse.table.codec.EntryCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable entries in one SQLite file. WAL with {@code synchronous=FULL} makes every commit
 * fsync before {@link #write} returns, which is what lets a node acknowledge a write. The file
 * holds private keys, so it is created readable by its owner only.
 */
public final class SqliteEntryStore implements EntryStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteEntryStore.class);
  private static final int SCHEMA = 1;
  private static final String UPSERT =
      "INSERT INTO entries(key, revision, deleted, payload) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT(key) DO UPDATE SET revision = excluded.revision,"
          + " deleted = excluded.deleted, payload = excluded.payload"
          + " WHERE excluded.revision > entries.revision"
          + " OR (excluded.revision = entries.revision AND excluded.deleted > entries.deleted)";

  private final Connection connection;
  private final EntryCodec codec;

  private SqliteEntryStore(Connection connection, EntryCodec codec) {
    this.connection = connection;
    this.codec = codec;
  }

  /** Opens (creating if needed) {@code dir/table.db}. */
  public static SqliteEntryStore open(Path dir, EntryCodec codec) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("table.db");
      if (!Files.exists(file)) {
        createPrivate(file);
      }
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, revision INTEGER NOT NULL,"
                + " deleted INTEGER NOT NULL, payload TEXT)");
        s.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER)");
        s.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', " + SCHEMA + ")");
        try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema'")) {
          int schema = rs.next() ? rs.getInt(1) : SCHEMA;
          if (schema > SCHEMA) {
            c.close();
            throw new IllegalStateException(
                file
                    + " was written by a newer release (schema "
                    + schema
                    + "); upgrade this node");
          }
        }
      }
      c.setAutoCommit(false);
      return new SqliteEntryStore(c, codec);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot open the table store in " + dir + ": " + e, e);
    }
  }

  private static void createPrivate(Path file) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  @Override
  public synchronized List<Versioned> load() {
    List<Versioned> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT key, revision, deleted, payload FROM entries")) {
      while (rs.next()) {
        EntryKey key = EntryKey.decode(rs.getString(1));
        long revision = rs.getLong(2);
        Object value = null;
        if (rs.getInt(3) == 0) {
          try {
            value = codec.decode(key.kind(), rs.getString(4));
          } catch (RuntimeException unreadable) {
            // Written by a later release: the cluster's copy is the one to serve, and a guess
            // here (a tombstone) could delete it cluster-wide at the next cold-start merge.
            LOG.atWarn()
                .setMessage("table store entry skipped: this release cannot read it")
                .addKeyValue("key", key.encoded())
                .addKeyValue("revision", revision)
                .addKeyValue("reason", unreadable.getMessage())
                .log();
            continue;
          }
        }
        out.add(new Versioned(key, revision, 0, 1, value, true));
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the table store: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public synchronized void write(Collection<Versioned> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(UPSERT)) {
      for (Versioned v : entries) {
        ps.setString(1, v.key().encoded());
        ps.setLong(2, v.revision());
        ps.setInt(3, v.deleted() ? 1 : 0);
        Object value = v.value();
        ps.setString(4, value == null ? null : codec.encode(value));
        ps.addBatch();
      }
      ps.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The write already failed; the rollback's own failure adds nothing.
      }
      throw new IllegalStateException("cannot write the table store: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing on shutdown: nothing left to protect.
    }
  }
}
