package org.hpcs.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.Grant;

/** Grants of bundles to cluster users. */
public final class GrantStore {
  private static final String COLUMNS =
      "id, bundle_id, owner, grantee, partitions, nodes, expires_at, created_at, revoked_at";

  private final Database database;

  /** Creates the store. */
  public GrantStore(Database database) {
    this.database = database;
  }

  /** Records a new grant. */
  public void insert(Grant grant) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO grants (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            statement.setString(1, grant.grantId());
            statement.setString(2, grant.bundleId());
            statement.setString(3, grant.owner());
            statement.setString(4, grant.user());
            statement.setString(5, Columns.toJson(grant.partitions()));
            statement.setString(6, Columns.toJson(grant.nodes()));
            Columns.setInstant(statement, 7, grant.expiresAt());
            Columns.setInstant(statement, 8, grant.createdAt());
            Columns.setInstant(statement, 9, grant.revokedAt());
            statement.executeUpdate();
          }
          return null;
        });
  }

  /** Returns the grant, if it exists. */
  public Optional<Grant> find(String grantId) {
    List<Grant> found = query("SELECT " + COLUMNS + " FROM grants WHERE id = ?", grantId);
    return found.stream().findFirst();
  }

  /** Returns the grants of the owner's bundles, newest first, optionally of one bundle. */
  public List<Grant> listByOwner(String owner, String bundleId) {
    if (bundleId == null) {
      return query(
          "SELECT " + COLUMNS + " FROM grants WHERE owner = ? ORDER BY created_at DESC, id", owner);
    }
    return query(
        "SELECT "
            + COLUMNS
            + " FROM grants WHERE owner = ? AND bundle_id = ?"
            + " ORDER BY created_at DESC, id",
        owner,
        bundleId);
  }

  /** Returns the grants the user received, newest first, optionally of one bundle. */
  public List<Grant> listByGrantee(String grantee, String bundleId) {
    if (bundleId == null) {
      return query(
          "SELECT " + COLUMNS + " FROM grants WHERE grantee = ? ORDER BY created_at DESC, id",
          grantee);
    }
    return forBundleAndUser(bundleId, grantee);
  }

  /** Returns the grants of a bundle to a user, revoked and expired ones included. */
  public List<Grant> forBundleAndUser(String bundleId, String user) {
    return query(
        "SELECT " + COLUMNS + " FROM grants WHERE bundle_id = ? AND grantee = ?", bundleId, user);
  }

  /** Marks the grant revoked; returns false when it was revoked before. */
  public boolean revoke(String grantId, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            Columns.setInstant(statement, 1, now);
            statement.setString(2, grantId);
            return statement.executeUpdate() == 1;
          }
        });
  }

  /** Counts grants that are neither revoked nor expired. */
  public long countLive(Instant now) {
    return database.read(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL AND (expires_at IS NULL"
                      + " OR expires_at > ?)")) {
            Columns.setInstant(statement, 1, now);
            try (ResultSet row = statement.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  private List<Grant> query(String sql, String... parameters) {
    return database.read(connection -> query(connection, sql, parameters));
  }

  private static List<Grant> query(Connection connection, String sql, String... parameters)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<Grant> grants = new ArrayList<>();
        while (rows.next()) {
          grants.add(
              new Grant(
                  rows.getString("id"),
                  rows.getString("bundle_id"),
                  rows.getString("owner"),
                  rows.getString("grantee"),
                  Columns.stringList(rows, "partitions"),
                  Columns.stringList(rows, "nodes"),
                  Columns.instant(rows, "expires_at"),
                  Columns.instant(rows, "created_at"),
                  Columns.instant(rows, "revoked_at")));
        }
        return grants;
      }
    }
  }
}
