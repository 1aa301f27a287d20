package org.hpcs.server.store;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hpcs.common.api.BundleRef;

/** Jobs and the per-node start and end state that decides when a job's Vault objects go. */
public final class JobStore {
  private static final String COLUMNS =
      "id, user_name, partition_name, nodes, bundles, started_at, deadline_at, released_at";

  private final Database database;

  /** Creates the store. */
  public JobStore(Database database) {
    this.database = database;
  }

  /** Returns the job, if it was ever started. */
  public Optional<JobRecord> find(String jobId) {
    return database.read(
        connection -> {
          List<JobRecord> jobs =
              query(connection, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", jobId);
          return jobs.stream().findFirst();
        });
  }

  /**
   * Records the job unless it exists, and marks the node started. Returns the stored job, which
   * differs from {@code job} when another node started it first.
   */
  public JobRecord recordStart(JobRecord job, String node, Instant now) {
    return database.inTransaction(
        connection -> {
          List<JobRecord> existing =
              query(connection, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", job.id());
          JobRecord stored = existing.isEmpty() ? insert(connection, job) : existing.get(0);
          upsertNode(connection, job.id(), node, now);
          try (PreparedStatement statement =
              connection.prepareStatement("UPDATE jobs SET released_at = NULL WHERE id = ?")) {
            statement.setString(1, job.id());
            statement.executeUpdate();
          }
          return stored;
        });
  }

  private static JobRecord insert(Connection connection, JobRecord job) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      statement.setString(1, job.id());
      statement.setString(2, job.user());
      statement.setString(3, job.partition());
      statement.setString(4, Columns.toJson(job.nodes()));
      statement.setString(5, Columns.toJson(job.bundles()));
      Columns.setInstant(statement, 6, job.startedAt());
      Columns.setInstant(statement, 7, job.deadlineAt());
      Columns.setInstant(statement, 8, null);
      statement.executeUpdate();
    }
    return job;
  }

  private static void upsertNode(Connection connection, String jobId, String node, Instant now)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE job_nodes SET ended_at = NULL WHERE job_id = ? AND node = ?")) {
      update.setString(1, jobId);
      update.setString(2, node);
      if (update.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO job_nodes (job_id, node, started_at) VALUES (?, ?, ?)")) {
      insert.setString(1, jobId);
      insert.setString(2, node);
      Columns.setInstant(insert, 3, now);
      insert.executeUpdate();
    }
  }

  /**
   * Marks the node ended and returns the nodes still running the job. When none remains, the job is
   * marked released in the same transaction, so exactly one caller sees the empty list first.
   *
   * @return empty when the node never started the job, else the remaining nodes
   */
  public Optional<EndResult> recordEnd(String jobId, String node, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE job_nodes SET ended_at = ? WHERE job_id = ? AND node = ? AND ended_at"
                      + " IS NULL")) {
            Columns.setInstant(update, 1, now);
            update.setString(2, jobId);
            update.setString(3, node);
            if (update.executeUpdate() != 1) {
              return Optional.empty();
            }
          }
          List<String> remaining = runningNodes(connection, jobId);
          boolean release = remaining.isEmpty() && markReleased(connection, jobId, now);
          return Optional.of(new EndResult(remaining, release));
        });
  }

  /**
   * The state after an end report.
   *
   * @param remainingNodes nodes still running the job
   * @param releaseNow true for the one caller that must delete the Vault objects
   */
  public record EndResult(List<String> remainingNodes, boolean releaseNow) {}

  /** Marks every node ended and the job released; returns false when it was released before. */
  public boolean forceRelease(String jobId, Instant now) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE job_nodes SET ended_at = ? WHERE job_id = ? AND ended_at IS NULL")) {
            Columns.setInstant(update, 1, now);
            update.setString(2, jobId);
            update.executeUpdate();
          }
          return markReleased(connection, jobId, now);
        });
  }

  private static boolean markReleased(Connection connection, String jobId, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE jobs SET released_at = ? WHERE id = ? AND released_at IS NULL")) {
      Columns.setInstant(statement, 1, now);
      statement.setString(2, jobId);
      return statement.executeUpdate() == 1;
    }
  }

  private static List<String> runningNodes(Connection connection, String jobId)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT node FROM job_nodes WHERE job_id = ? AND ended_at IS NULL ORDER BY node")) {
      statement.setString(1, jobId);
      try (ResultSet rows = statement.executeQuery()) {
        List<String> nodes = new ArrayList<>();
        while (rows.next()) {
          nodes.add(rows.getString(1));
        }
        return nodes;
      }
    }
  }

  /** Marks the job active again after its Vault objects could not be deleted. */
  public void reopen(String jobId) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement("UPDATE jobs SET released_at = NULL WHERE id = ?")) {
            statement.setString(1, jobId);
            statement.executeUpdate();
          }
          return null;
        });
  }

  /** Returns jobs whose Vault objects still exist although their deadline has passed. */
  public List<JobRecord> overdue(Instant now) {
    return database.read(
        connection ->
            query(
                connection,
                "SELECT " + COLUMNS + " FROM jobs WHERE released_at IS NULL AND deadline_at < ?",
                now));
  }

  /** Counts jobs whose Vault objects exist. */
  public long countActive() {
    return database.read(
        connection -> {
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT COUNT(*) FROM jobs WHERE released_at IS NULL");
              ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
          }
        });
  }

  private static List<JobRecord> query(Connection connection, String sql, Object parameter)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (parameter instanceof Instant instant) {
        Columns.setInstant(statement, 1, instant);
      } else {
        statement.setString(1, (String) parameter);
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<JobRecord> jobs = new ArrayList<>();
        while (rows.next()) {
          jobs.add(
              new JobRecord(
                  rows.getString("id"),
                  rows.getString("user_name"),
                  rows.getString("partition_name"),
                  Columns.stringList(rows, "nodes"),
                  Columns.fromJson(
                      rows.getString("bundles"), new TypeReference<List<BundleRef>>() {}),
                  Columns.instant(rows, "started_at"),
                  Columns.instant(rows, "deadline_at"),
                  Columns.instant(rows, "released_at")));
        }
        return jobs;
      }
    }
  }
}
