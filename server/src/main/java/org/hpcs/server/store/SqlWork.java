package org.hpcs.server.store;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of JDBC work run on a connection lent by {@link Database}. */
@FunctionalInterface
public interface SqlWork<T> {
  /** Runs the work. */
  T run(Connection connection) throws SQLException;
}
