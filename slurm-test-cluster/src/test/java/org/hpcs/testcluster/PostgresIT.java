package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestClusterExtension.class)
class PostgresIT {

  @Test
  void connect_hpcsUserWithPasswordFile_isInDatabaseHpcs(TestCluster cluster) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                cluster.pgJdbcUrl(), cluster.pgUser(), cluster.pgPassword());
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery("SELECT current_user, current_database(), version()")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo("hpcs");
      assertThat(row.getString(2)).isEqualTo("hpcs");
      assertThat(row.getString(3)).startsWith("PostgreSQL 15");
    }
  }

  @Test
  void connect_wrongPassword_failsAuthentication(TestCluster cluster) {
    assertThatThrownBy(
            () -> DriverManager.getConnection(cluster.pgJdbcUrl(), cluster.pgUser(), "wrong"))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
  }
}
