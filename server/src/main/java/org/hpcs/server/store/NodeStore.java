package org.hpcs.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** Enrolled and revoked nodes. */
public final class NodeStore {
  private final Database database;

  /** Creates the store. */
  public NodeStore(Database database) {
    this.database = database;
  }

  /**
   * Records a successful enrolment. A revoked node stays revoked: only {@link #reinstate} lifts a
   * revocation.
   *
   * @return false when the node is revoked, so the enrolment must be denied
   */
  public boolean recordEnrolment(String name, String spiffeId, String attestor, Instant now) {
    return database.inTransaction(
        connection -> {
          Optional<NodeRecord> existing = find(connection, name);
          if (existing.isPresent() && existing.get().revoked()) {
            return false;
          }
          String sql =
              existing.isPresent()
                  ? "UPDATE nodes SET spiffe_id = ?, attestor = ?, status = 'enrolled',"
                      + " enrolled_at = ? WHERE name = ?"
                  : "INSERT INTO nodes (spiffe_id, attestor, status, enrolled_at, name)"
                      + " VALUES (?, ?, 'enrolled', ?, ?)";
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, spiffeId);
            statement.setString(2, attestor);
            Columns.setInstant(statement, 3, now);
            statement.setString(4, name);
            statement.executeUpdate();
          }
          return true;
        });
  }

  /** Returns the node, if it ever enrolled. */
  public Optional<NodeRecord> find(String name) {
    return database.read(connection -> find(connection, name));
  }

  private static Optional<NodeRecord> find(java.sql.Connection connection, String name)
      throws java.sql.SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT name, spiffe_id, attestor, status, enrolled_at, revoked_at FROM nodes"
                + " WHERE name = ?")) {
      statement.setString(1, name);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new NodeRecord(
                row.getString("name"),
                row.getString("spiffe_id"),
                row.getString("attestor"),
                row.getString("status"),
                Columns.instant(row, "enrolled_at"),
                Columns.instant(row, "revoked_at")));
      }
    }
  }

  /**
   * Marks the node revoked, or records a revoked placeholder for a node that never enrolled so that
   * it cannot enrol later.
   */
  public void revoke(String name, String spiffeId, Instant now) {
    database.inTransaction(
        connection -> {
          boolean exists = find(connection, name).isPresent();
          String sql =
              exists
                  ? "UPDATE nodes SET status = 'revoked', revoked_at = ?, spiffe_id = ? WHERE"
                      + " name = ?"
                  : "INSERT INTO nodes (revoked_at, spiffe_id, name, attestor, status,"
                      + " enrolled_at) VALUES (?, ?, ?, 'none', 'revoked', 0)";
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Columns.setInstant(statement, 1, now);
            statement.setString(2, spiffeId);
            statement.setString(3, name);
            statement.executeUpdate();
          }
          return null;
        });
  }

  /** Lifts a revocation so that the node may enrol again with a new join token. */
  public boolean reinstate(String name) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "UPDATE nodes SET status = 'reinstated', revoked_at = NULL WHERE name = ? AND"
                      + " revoked_at IS NOT NULL")) {
            statement.setString(1, name);
            return statement.executeUpdate() == 1;
          }
        });
  }
}
