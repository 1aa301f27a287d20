package org.hpcs.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/** A pooled connection to the server's database, with transaction helpers. */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private final Dialect dialect;
  // SQLite lets one writer in at a time and makes the others sleep in its busy handler with a
  // growing back-off. Queueing writers here keeps them in order and awake.
  private final ReentrantLock sqliteWriter = new ReentrantLock(true);

  private Database(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /**
   * Opens the pool and applies pending schema migrations.
   *
   * @param url JDBC URL, {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}
   * @param user database user, or null
   * @param password database password, or null
   * @param poolSize maximum number of connections
   */
  public static Database open(String url, String user, String password, int poolSize) {
    Dialect dialect = Dialect.ofUrl(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setPoolName("hpcs-db");
    config.setMaximumPoolSize(poolSize);
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    if (dialect == Dialect.SQLITE) {
      // WAL lets readers run beside the single writer; IMMEDIATE makes every transaction take the
      // write lock at BEGIN, so two transactions never deadlock upgrading a read lock.
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("busy_timeout", "15000");
      config.addDataSourceProperty("foreign_keys", "true");
      config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    }
    Database database;
    try {
      database = new Database(new HikariDataSource(config), dialect);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to database " + url + ": " + e.getMessage(), e);
    }
    try {
      new Migrator(database).migrate();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return database;
  }

  /** Returns the dialect. */
  public Dialect dialect() {
    return dialect;
  }

  /** Runs the work in one transaction, committing on success and rolling back on any failure. */
  public <T> T inTransaction(SqlWork<T> work) {
    if (dialect != Dialect.SQLITE) {
      return transaction(work);
    }
    sqliteWriter.lock();
    try {
      return transaction(work);
    } finally {
      sqliteWriter.unlock();
    }
  }

  private <T> T transaction(SqlWork<T> work) {
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("database transaction failed: " + e.getMessage(), e);
    }
  }

  /** Runs read-only work in auto-commit mode. */
  public <T> T read(SqlWork<T> work) {
    try (Connection connection = pool.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException("database query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
