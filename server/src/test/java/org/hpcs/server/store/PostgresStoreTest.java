package org.hpcs.server.store;

import org.hpcs.server.testing.TestDatabases;

class PostgresStoreTest extends StoreContractTest {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.POSTGRESQL;
  }
}
