package org.hpcs.server.store;

/** The SQL databases the server supports. */
public enum Dialect {
  /** Embedded SQLite, the default for one server. */
  SQLITE("sqlite"),
  /** PostgreSQL, for several server replicas. */
  POSTGRESQL("postgresql");

  private final String resourceDirectory;

  Dialect(String resourceDirectory) {
    this.resourceDirectory = resourceDirectory;
  }

  /** Returns the folder below {@code db/} that holds this dialect's migrations. */
  public String resourceDirectory() {
    return resourceDirectory;
  }

  /**
   * Returns the dialect of a JDBC URL.
   *
   * @throws IllegalArgumentException for any other database
   */
  public static Dialect ofUrl(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported JDBC URL '" + jdbcUrl + "': use jdbc:sqlite:<file> or jdbc:postgresql://...");
  }
}
