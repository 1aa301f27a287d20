package org.hpcs.server.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.hpcs.server.store.Database;

/**
 * Fresh, empty databases for tests: SQLite in a temporary file, or a new schema on PostgreSQL (the
 * shared stack's when {@code /run/hpcs-test/stack.env} exists, else a throwaway cluster).
 */
public final class TestDatabases {
  private static final Path STACK_ENV = Path.of("/run/hpcs-test/stack.env");

  private TestDatabases() {}

  /** The two supported kinds. */
  public enum Kind {
    /** Embedded SQLite. */
    SQLITE,
    /** PostgreSQL. */
    POSTGRESQL
  }

  /**
   * Connection settings of a fresh database.
   *
   * @param url the JDBC URL
   * @param user the user, or null
   * @param password the password, or null
   */
  public record Settings(String url, String user, String password) {
    /** Opens and migrates the database. */
    public Database open() {
      return Database.open(url, user, password, 8);
    }
  }

  /** Creates a fresh database of the kind. */
  public static Settings fresh(Kind kind, Path tempDir) throws Exception {
    if (kind == Kind.SQLITE) {
      return new Settings(
          "jdbc:sqlite:" + tempDir.resolve("hpcs-" + UUID.randomUUID() + ".db"), null, null);
    }
    Settings server = postgresServer();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection connection =
            DriverManager.getConnection(server.url(), server.user(), server.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    String separator = server.url().contains("?") ? "&" : "?";
    return new Settings(
        server.url() + separator + "currentSchema=" + schema, server.user(), server.password());
  }

  private static Settings postgresServer() throws IOException, InterruptedException, SQLException {
    Map<String, String> stack = stackEnv();
    if (stack.containsKey("PG_JDBC_URL")) {
      String password =
          stack.containsKey("PG_PASSWORD_FILE")
              ? Files.readString(Path.of(stack.get("PG_PASSWORD_FILE")), StandardCharsets.UTF_8)
                  .strip()
              : null;
      return new Settings(stack.get("PG_JDBC_URL"), stack.get("PG_USER"), password);
    }
    ThrowawayPostgres cluster = ThrowawayPostgres.get();
    return new Settings(cluster.jdbcUrl(), cluster.user(), null);
  }

  /** Returns the test stack's environment, or an empty map when the stack is not up. */
  public static Map<String, String> stackEnv() throws IOException {
    Map<String, String> env = new HashMap<>();
    if (!Files.isReadable(STACK_ENV)) {
      return env;
    }
    for (String line : Files.readAllLines(STACK_ENV, StandardCharsets.UTF_8)) {
      String trimmed = line.strip();
      int equals = trimmed.indexOf('=');
      if (trimmed.startsWith("#") || equals < 1) {
        continue;
      }
      String value = trimmed.substring(equals + 1).strip();
      if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      env.put(trimmed.substring(0, equals).replaceFirst("^export\\s+", ""), value);
    }
    return env;
  }
}
