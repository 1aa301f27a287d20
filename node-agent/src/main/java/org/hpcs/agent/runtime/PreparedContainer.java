package org.hpcs.agent.runtime;

import java.util.List;
import java.util.Objects;

/**
 * A container ready to start: the argv prefix that runs the step's command inside it (the SPANK
 * plugin exec()s it in the step's own process, as the job user) and the runtime's per-job teardown.
 * The argv contains no secret.
 */
public final class PreparedContainer implements AutoCloseable {
  /** Per-job cleanup of a runtime. */
  @FunctionalInterface
  public interface Teardown {
    /** Undoes what the runtime set up. */
    void run() throws ContainerException;
  }

  private final String runtime;
  private final List<String> argv;
  private final Teardown teardown;
  private boolean closed;

  /** Creates a prepared container. */
  public PreparedContainer(String runtime, List<String> argv, Teardown teardown) {
    this.runtime = Objects.requireNonNull(runtime, "runtime must not be null");
    this.argv = List.copyOf(argv);
    this.teardown = Objects.requireNonNull(teardown, "teardown must not be null");
  }

  /** Returns the runtime's name. */
  public String runtime() {
    return runtime;
  }

  /** Returns the complete argv: runtime, its options, and the step's command. */
  public List<String> argv() {
    return argv;
  }

  /**
   * Runs the runtime's teardown once; later calls do nothing.
   *
   * @throws ContainerException if the teardown fails
   */
  @Override
  public void close() throws ContainerException {
    if (!closed) {
      closed = true;
      teardown.run();
    }
  }
}
