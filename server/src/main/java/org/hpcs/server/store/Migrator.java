package org.hpcs.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned SQL scripts {@code db/<dialect>/V<n>__<name>.sql} in order, each in its own
 * transaction, and records them in {@code schema_version}. The script list is {@link #SCRIPTS}; a
 * new migration adds a file per dialect and a line here.
 */
final class Migrator {
  /** Migration scripts in version order: index 0 is version 1. */
  static final List<String> SCRIPTS =
      List.of("V1__init.sql", "V2__bundle_manifest.sql", "V3__challenge_rounds.sql");

  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private static final long POSTGRES_LOCK_KEY = 0x4850435353L;

  private final Database database;

  Migrator(Database database) {
    this.database = database;
  }

  void migrate() {
    database.inTransaction(
        connection -> {
          lockAgainstOtherReplicas(connection);
          try (Statement statement = connection.createStatement()) {
            statement.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    + " script TEXT NOT NULL, applied_at BIGINT NOT NULL)");
          }
          int current = currentVersion(connection);
          if (current > SCRIPTS.size()) {
            throw new StoreException(
                "database schema version "
                    + current
                    + " is newer than this server knows ("
                    + SCRIPTS.size()
                    + "): upgrade the server");
          }
          for (int version = current + 1; version <= SCRIPTS.size(); version++) {
            apply(connection, version, SCRIPTS.get(version - 1));
          }
          return null;
        });
  }

  private void lockAgainstOtherReplicas(Connection connection) throws SQLException {
    if (database.dialect() == Dialect.POSTGRESQL) {
      try (PreparedStatement lock =
          connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, POSTGRES_LOCK_KEY);
        lock.execute();
      }
    }
  }

  private static int currentVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
      return rows.next() ? rows.getInt(1) : 0;
    }
  }

  private void apply(Connection connection, int version, String script) throws SQLException {
    String resource = "db/" + database.dialect().resourceDirectory() + "/" + script;
    for (String sql : statements(load(resource))) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
      insert.setInt(1, version);
      insert.setString(2, script);
      insert.setLong(3, System.currentTimeMillis());
      insert.executeUpdate();
    }
    LOG.info("applied database migration {} ({})", version, resource);
  }

  private static String load(String resource) {
    try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new StoreException("migration script " + resource + " missing from the server jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read migration script " + resource, e);
    }
  }

  /**
   * Splits a script into statements at lines ending with a semicolon, except inside a trigger's
   * {@code BEGIN ... END;} block or a PostgreSQL {@code $$} body.
   */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inDollar = false;
    boolean inBlock = false;
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
        continue;
      }
      current.append(line).append('\n');
      if (countDollarQuotes(trimmed) % 2 == 1) {
        inDollar = !inDollar;
      }
      if (!inDollar && trimmed.equalsIgnoreCase("BEGIN")) {
        inBlock = true;
      }
      boolean ends =
          inBlock ? trimmed.equalsIgnoreCase("END;") : !inDollar && trimmed.endsWith(";");
      if (ends) {
        inBlock = false;
        String sql = current.toString().strip();
        statements.add(inBlockStatement(sql) ? sql : sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new StoreException("migration script ends inside a statement: " + current.toString());
    }
    return statements;
  }

  private static boolean inBlockStatement(String sql) {
    return sql.toUpperCase(java.util.Locale.ROOT).endsWith("END;");
  }

  private static int countDollarQuotes(String line) {
    int count = 0;
    for (int i = line.indexOf("$$"); i >= 0; i = line.indexOf("$$", i + 2)) {
      count++;
    }
    return count;
  }
}
