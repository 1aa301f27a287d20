package org.hpcs.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.BundleInfo;

/** Registered bundles and the owners' pinned signing keys. */
public final class BundleStore {
  private final Database database;

  /** Creates the store. */
  public BundleStore(Database database) {
    this.database = database;
  }

  /** Returns the owner's pinned public key (base64 SubjectPublicKeyInfo), if any. */
  public Optional<String> ownerKey(String owner) {
    return database.read(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement("SELECT public_key FROM owner_keys WHERE owner = ?")) {
            statement.setString(1, owner);
            try (ResultSet row = statement.executeQuery()) {
              return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
          }
        });
  }

  /**
   * Registers the bundle and pins the owner's key when the owner has none yet.
   *
   * @return false when a bundle with that identifier already exists
   */
  public boolean register(BundleInfo bundle, String publicKey) {
    return database.inTransaction(
        connection -> {
          if (find(connection, bundle.bundleId()).isPresent()) {
            return false;
          }
          pinKey(connection, bundle.owner(), publicKey, bundle.registeredAt());
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO bundles (id, owner, manifest_sha256, ciphertext_sha256,"
                      + " ciphertext_size, kv_mount, kv_path, output_recipient, registered_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            statement.setString(1, bundle.bundleId());
            statement.setString(2, bundle.owner());
            statement.setString(3, bundle.manifestSha256());
            statement.setString(4, bundle.ciphertextSha256());
            statement.setLong(5, bundle.ciphertextSize());
            statement.setString(6, bundle.kvMount());
            statement.setString(7, bundle.kvPath());
            statement.setString(8, bundle.outputRecipient());
            Columns.setInstant(statement, 9, bundle.registeredAt());
            statement.executeUpdate();
          }
          return true;
        });
  }

  private static void pinKey(Connection connection, String owner, String key, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT 1 FROM owner_keys WHERE owner = ?")) {
      statement.setString(1, owner);
      try (ResultSet row = statement.executeQuery()) {
        if (row.next()) {
          return;
        }
      }
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO owner_keys (owner, public_key, created_at) VALUES (?, ?, ?)")) {
      statement.setString(1, owner);
      statement.setString(2, key);
      Columns.setInstant(statement, 3, now);
      statement.executeUpdate();
    }
  }

  /** Returns the bundle, if registered. */
  public Optional<BundleRecord> find(String bundleId) {
    return database.read(connection -> find(connection, bundleId));
  }

  private static Optional<BundleRecord> find(Connection connection, String bundleId)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT id, owner, manifest_sha256, ciphertext_sha256, ciphertext_size, kv_mount,"
                + " kv_path, output_recipient, registered_at, revoked_at FROM bundles WHERE id = ?")) {
      statement.setString(1, bundleId);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        BundleInfo info =
            new BundleInfo(
                row.getString("id"),
                row.getString("owner"),
                row.getString("manifest_sha256"),
                row.getString("ciphertext_sha256"),
                row.getLong("ciphertext_size"),
                row.getString("kv_mount"),
                row.getString("kv_path"),
                row.getString("output_recipient"),
                Columns.instant(row, "registered_at"));
        return Optional.of(new BundleRecord(info, Columns.instant(row, "revoked_at")));
      }
    }
  }

  /** Marks the bundle revoked; returns false when it was revoked before. */
  public boolean revoke(String bundleId, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "UPDATE bundles SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            Columns.setInstant(statement, 1, now);
            statement.setString(2, bundleId);
            return statement.executeUpdate() == 1;
          }
        });
  }

  /** Returns the identifiers of the owner's bundles. */
  public List<String> idsOwnedBy(String owner) {
    return database.read(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement("SELECT id FROM bundles WHERE owner = ? ORDER BY id")) {
            statement.setString(1, owner);
            try (ResultSet rows = statement.executeQuery()) {
              List<String> ids = new java.util.ArrayList<>();
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
              return ids;
            }
          }
        });
  }
}
