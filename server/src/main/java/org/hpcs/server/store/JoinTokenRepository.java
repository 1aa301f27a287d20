package org.hpcs.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import org.hpcs.attest.jointoken.JoinTokenStore;

/** Join-token hashes in the database; the token text itself is never stored. */
public final class JoinTokenRepository implements JoinTokenStore {
  private final Database database;

  /** Creates the repository. */
  public JoinTokenRepository(Database database) {
    this.database = database;
  }

  /** Records a new token by its hash. */
  public void insert(
      String tokenSha256Hex, String node, String createdBy, Instant now, Instant expiresAt) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO join_tokens (token_sha256, node, created_by, created_at,"
                      + " expires_at) VALUES (?, ?, ?, ?, ?)")) {
            statement.setString(1, tokenSha256Hex);
            statement.setString(2, node);
            statement.setString(3, createdBy);
            Columns.setInstant(statement, 4, now);
            Columns.setInstant(statement, 5, expiresAt);
            statement.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Outcome consume(String tokenSha256Hex, String nodeName, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT node, expires_at, used_at FROM join_tokens WHERE token_sha256 = ?")) {
            select.setString(1, tokenSha256Hex);
            try (ResultSet row = select.executeQuery()) {
              if (!row.next()) {
                return Outcome.UNKNOWN;
              }
              if (Columns.instant(row, "used_at") != null) {
                return Outcome.ALREADY_USED;
              }
              if (!now.isBefore(Columns.instant(row, "expires_at"))) {
                return Outcome.EXPIRED;
              }
              if (!row.getString("node").equals(nodeName)) {
                return Outcome.WRONG_NODE;
              }
            }
          }
          // The guard on used_at makes the update the single point where a token is spent, also
          // when two replicas race on PostgreSQL.
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE join_tokens SET used_at = ? WHERE token_sha256 = ? AND used_at IS"
                      + " NULL")) {
            Columns.setInstant(update, 1, now);
            update.setString(2, tokenSha256Hex);
            return update.executeUpdate() == 1 ? Outcome.CONSUMED : Outcome.ALREADY_USED;
          }
        });
  }
}
