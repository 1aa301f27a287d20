package org.hpcs.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigratorTest {
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
