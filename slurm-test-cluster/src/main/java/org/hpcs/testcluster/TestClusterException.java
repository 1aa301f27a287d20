package org.hpcs.testcluster;

/** The local test stack could not be started, or its environment file is missing or wrong. */
public final class TestClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TestClusterException(String message) {
    super(message);
  }

  public TestClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
