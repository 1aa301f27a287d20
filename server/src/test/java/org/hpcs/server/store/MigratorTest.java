package org.hpcs.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigratorTest {
  @TempDir Path temp;

  @Test
  void migrate_bundleRegisteredUnderVersion1_revokedAndColumnsAdded() throws Exception {
    String url = "jdbc:sqlite:" + temp.resolve("v1.db");
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String sql : Migrator.statements(resource("db/sqlite/V1__init.sql"))) {
        statement.execute(sql);
      }
      statement.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, script TEXT NOT NULL,"
              + " applied_at BIGINT NOT NULL)");
      statement.execute("INSERT INTO schema_version VALUES (1, 'V1__init.sql', 0)");
      statement.execute(
          "INSERT INTO bundles (id, owner, manifest_sha256, owner_recipients, registered_at)"
              + " VALUES ('old', 'owner', '"
              + "f".repeat(64)
              + "', '[]', 1000)");
    }

    try (Database database = Database.open(url, null, null, 2)) {
      BundleRecord old = new BundleStore(database).find("old").orElseThrow();

      assertThat(old.revokedAt()).isNotNull();
      assertThat(old.info().kvPath()).isNull();
      assertThat(old.info().manifestSha256()).isEqualTo("f".repeat(64));
    }
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = MigratorTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void statements_triggerAndDollarBodies_keptWhole() {
    String script =
        """
        -- comment
        CREATE TABLE a (x INT);

        CREATE TRIGGER t BEFORE UPDATE ON a
        BEGIN
          SELECT RAISE(ABORT, 'no');
        END;
        CREATE FUNCTION f() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'no';
        END;
        $$ LANGUAGE plpgsql;
        """;

    List<String> statements = Migrator.statements(script);

    assertThat(statements).hasSize(3);
    assertThat(statements.get(0)).isEqualTo("CREATE TABLE a (x INT)");
    assertThat(statements.get(1)).startsWith("CREATE TRIGGER").endsWith("END;");
    assertThat(statements.get(2)).startsWith("CREATE FUNCTION").endsWith("LANGUAGE plpgsql");
  }
}
