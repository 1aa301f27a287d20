package org.hpcs.server.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hpcs.common.api.AuditEntry;

/**
 * The append-only audit log. The table has triggers that reject UPDATE and DELETE, this class has
 * no such path, and each record carries the SHA-256 of its content and the previous record's hash,
 * so a gap or an edit made directly in the database shows in {@link #verifyChain}.
 *
 * <p>The chain makes appends sequential, so one writer thread appends the records of all waiting
 * callers in one transaction (group commit). Callers block until their records are committed, so a
 * decision is never answered before it is on record.
 */
public final class AuditLog implements AutoCloseable {
  private static final String GENESIS = "0".repeat(64);
  private static final String COLUMNS =
      "seq, at, actor, action, outcome, reason, bundle_id, job_id, node, detail, prev_hash, hash";
  private static final int MAX_BATCHES_PER_COMMIT = 256;
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(60);

  private final Database database;
  private final Clock clock;
  private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  private record Batch(List<AuditRecord> records, CompletableFuture<List<AuditEntry>> done) {}

  /** Creates the log and starts its writer thread. */
  public AuditLog(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
    this.writer = Thread.ofPlatform().name("hpcs-audit-writer").daemon().start(this::writeLoop);
  }

  /** Appends a record and returns it once committed. */
  public AuditEntry append(AuditRecord record) {
    return appendAll(List.of(record)).get(0);
  }

  /** Appends records in order, committed together, and returns them once committed. */
  public List<AuditEntry> appendAll(List<AuditRecord> records) {
    if (closed) {
      throw new StoreException("audit log is closed");
    }
    Batch batch = new Batch(List.copyOf(records), new CompletableFuture<>());
    queue.add(batch);
    try {
      return batch.done().get(COMMIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while writing the audit log", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof StoreException store
          ? store
          : new StoreException("audit log write failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreException("audit log write timed out after " + COMMIT_TIMEOUT, e);
    }
  }

  private void writeLoop() {
    List<Batch> batches = new ArrayList<>();
    while (!closed) {
      try {
        batches.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batches, MAX_BATCHES_PER_COMMIT - 1);
      commit(batches);
      batches.clear();
    }
    queue.drainTo(batches);
    batches.forEach(b -> b.done().completeExceptionally(new StoreException("audit log is closed")));
  }

  private void commit(List<Batch> batches) {
    try {
      List<List<AuditEntry>> written =
          database.inTransaction(
              connection -> {
                List<List<AuditEntry>> all = new ArrayList<>();
                for (Batch batch : batches) {
                  List<AuditEntry> entries = new ArrayList<>();
                  for (AuditRecord record : batch.records()) {
                    entries.add(append(connection, record));
                  }
                  all.add(entries);
                }
                return all;
              });
      for (int i = 0; i < batches.size(); i++) {
        batches.get(i).done().complete(written.get(i));
      }
    } catch (RuntimeException e) {
      batches.forEach(b -> b.done().completeExceptionally(e));
    }
  }

  /** Stops the writer; records not yet committed fail with a {@link StoreException}. */
  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(COMMIT_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private AuditEntry append(Connection connection, AuditRecord record) throws SQLException {
    if (database.dialect() == Dialect.POSTGRESQL) {
      // Serialises appends across replicas so that the chain has no forks; readers are not blocked.
      try (Statement lock = connection.createStatement()) {
        lock.execute("LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE");
      }
    }
    long seq = 1;
    String previous = GENESIS;
    try (Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")) {
      if (row.next()) {
        seq = row.getLong(1) + 1;
        previous = row.getString(2);
      }
    }
    Instant at = Instant.ofEpochMilli(clock.millis());
    AuditEntry entry = entry(seq, at, record, previous);
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO audit (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setLong(1, seq);
      Columns.setInstant(insert, 2, at);
      insert.setString(3, record.actor());
      insert.setString(4, record.action());
      insert.setString(5, record.outcome());
      insert.setString(6, record.reason());
      insert.setString(7, record.bundleId());
      insert.setString(8, record.jobId());
      insert.setString(9, record.node());
      insert.setString(10, record.detail());
      insert.setString(11, previous);
      insert.setString(12, entry.hash());
      insert.executeUpdate();
    }
    return entry;
  }

  private static AuditEntry entry(long seq, Instant at, AuditRecord r, String previous) {
    String hash =
        hash(
            previous,
            Long.toString(seq),
            Long.toString(at.toEpochMilli()),
            r.actor(),
            r.action(),
            r.outcome(),
            r.reason(),
            r.bundleId(),
            r.jobId(),
            r.node(),
            r.detail());
    return new AuditEntry(
        seq,
        at,
        r.actor(),
        r.action(),
        r.outcome(),
        r.reason(),
        r.bundleId(),
        r.jobId(),
        r.node(),
        r.detail(),
        hash);
  }

  private static String hash(String... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        // Length-prefix every field so that moving characters between fields changes the hash.
        byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
        digest.update(
            Integer.toString(part == null ? -1 : bytes.length).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(bytes);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * Returns records oldest first.
   *
   * @param bundleIds only records of these bundles, or null for every record
   * @param bundleId only this bundle, or null
   * @param jobId only this job, or null
   * @param limit the maximum number of records, newest kept
   */
  public List<AuditEntry> query(
      Collection<String> bundleIds, String bundleId, String jobId, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit WHERE 1 = 1");
    List<String> parameters = new ArrayList<>();
    if (bundleIds != null) {
      if (bundleIds.isEmpty()) {
        return List.of();
      }
      sql.append(" AND bundle_id IN (").append("?, ".repeat(bundleIds.size() - 1)).append("?)");
      parameters.addAll(bundleIds);
    }
    if (bundleId != null) {
      sql.append(" AND bundle_id = ?");
      parameters.add(bundleId);
    }
    if (jobId != null) {
      sql.append(" AND job_id = ?");
      parameters.add(jobId);
    }
    sql.append(" ORDER BY seq DESC LIMIT ").append(limit);
    List<AuditEntry> entries =
        database.read(
            connection -> {
              try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                  statement.setString(i + 1, parameters.get(i));
                }
                return read(statement);
              }
            });
    return entries.reversed();
  }

  /**
   * Recomputes the chain from the first record.
   *
   * @return the sequence number of the first record whose hash or link is wrong, or -1
   */
  public long verifyChain() {
    List<AuditEntry> all =
        database.read(
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement("SELECT " + COLUMNS + " FROM audit ORDER BY seq")) {
                return read(statement);
              }
            });
    String previous = GENESIS;
    long expectedSeq = 1;
    for (AuditEntry e : all) {
      AuditRecord record =
          new AuditRecord(
              e.actor(),
              e.action(),
              e.outcome(),
              e.reason(),
              e.bundleId(),
              e.jobId(),
              e.node(),
              e.detail());
      if (e.seq() != expectedSeq
          || !entry(e.seq(), e.at(), record, previous).hash().equals(e.hash())) {
        return e.seq();
      }
      previous = e.hash();
      expectedSeq++;
    }
    return -1;
  }

  private static List<AuditEntry> read(PreparedStatement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery()) {
      List<AuditEntry> entries = new ArrayList<>();
      while (rows.next()) {
        entries.add(
            new AuditEntry(
                rows.getLong("seq"),
                Columns.instant(rows, "at"),
                rows.getString("actor"),
                rows.getString("action"),
                rows.getString("outcome"),
                rows.getString("reason"),
                rows.getString("bundle_id"),
                rows.getString("job_id"),
                rows.getString("node"),
                rows.getString("detail"),
                rows.getString("hash")));
      }
      return entries;
    }
  }
}
