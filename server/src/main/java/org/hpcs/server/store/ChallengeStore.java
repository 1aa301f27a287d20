package org.hpcs.server.store;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** Issued challenges; each can be taken once. */
public final class ChallengeStore {
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private final Database database;

  /** Creates the store. */
  public ChallengeStore(Database database) {
    this.database = database;
  }

  /** Records a challenge and deletes challenges that expired more than an hour ago. */
  public void insert(ChallengeRecord challenge, Instant now) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement prune =
              connection.prepareStatement("DELETE FROM challenges WHERE expires_at < ?")) {
            Columns.setInstant(prune, 1, now.minusSeconds(3600));
            prune.executeUpdate();
          }
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO challenges (id, node, attestor, nonce, issued_at, parameters,"
                      + " round_number, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            statement.setString(1, challenge.id());
            statement.setString(2, challenge.node());
            statement.setString(3, challenge.attestor());
            statement.setString(4, Base64.getEncoder().encodeToString(challenge.nonce()));
            Columns.setInstant(statement, 5, challenge.issuedAt());
            statement.setString(6, Columns.toJson(challenge.parameters()));
            statement.setInt(7, challenge.round());
            Columns.setInstant(statement, 8, challenge.expiresAt());
            statement.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Takes the challenge: marks it used and returns it. Returns empty when it does not exist or was
   * taken before ({@link #wasIssued} distinguishes the two). Expiry is left to the caller, which
   * reports it separately.
   */
  public Optional<ChallengeRecord> take(String id, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE challenges SET used_at = ? WHERE id = ? AND used_at IS NULL")) {
            Columns.setInstant(update, 1, now);
            update.setString(2, id);
            if (update.executeUpdate() != 1) {
              return Optional.empty();
            }
          }
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT id, node, attestor, nonce, issued_at, parameters, round_number,"
                      + " expires_at FROM challenges WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return Optional.of(
                  new ChallengeRecord(
                      row.getString("id"),
                      row.getString("node"),
                      row.getString("attestor"),
                      Base64.getDecoder().decode(row.getString("nonce")),
                      Columns.instant(row, "issued_at"),
                      Columns.fromJson(row.getString("parameters"), STRING_MAP),
                      row.getInt("round_number"),
                      Columns.instant(row, "expires_at")));
            }
          }
        });
  }

  /**
   * Returns whether a challenge with this id was issued and is still recorded (used or not).
   * Challenges are deleted an hour after they expire.
   */
  public boolean wasIssued(String id) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement("SELECT 1 FROM challenges WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
              return row.next();
            }
          }
        });
  }
}
