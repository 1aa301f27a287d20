package org.hpcs.agent.runtime;

import java.util.List;
import java.util.Objects;

/**
 * A container ready to start: the argv that runs a command inside it (the SPANK plugin exec()s it
 * in the step's own process, as the job user) and the runtime's per-job teardown. The argv contains
 * no secret.
 */
public final class PreparedContainer implements AutoCloseable {
  /** Per-job cleanup of a runtime. */
  @FunctionalInterface
  public interface Teardown {
    /** Undoes what the runtime set up. */
    void run() throws ContainerException;
  }

  /** Builds the runtime's argv for a spec of this container. */
  @FunctionalInterface
  public interface ArgvBuilder {
    /** Returns the argv for {@code spec}. */
    List<String> argv(ContainerSpec spec) throws ContainerException;
  }

  private final String runtime;
  private final ContainerSpec spec;
  private final ArgvBuilder builder;
  private final List<String> argv;
  private final Teardown teardown;
  private boolean closed;

  /**
   * Creates a prepared container.
   *
   * @param runtime the runtime's name
   * @param spec the spec it was prepared for
   * @param builder builds the argv for the spec and for the steps' variants of it
   * @param teardown undoes the runtime's per-job setup
   * @throws ContainerException when the spec's argv cannot be built
   */
  public PreparedContainer(
      String runtime, ContainerSpec spec, ArgvBuilder builder, Teardown teardown)
      throws ContainerException {
    this.runtime = Objects.requireNonNull(runtime, "runtime must not be null");
    this.spec = Objects.requireNonNull(spec, "spec must not be null");
    this.builder = Objects.requireNonNull(builder, "builder must not be null");
    this.argv = List.copyOf(builder.argv(spec));
    this.teardown = Objects.requireNonNull(teardown, "teardown must not be null");
  }

  /** Returns the spec the container was prepared for. */
  public ContainerSpec spec() {
    return spec;
  }

  /**
   * Returns the argv for another spec of the same image and mounts, such as the argv prefix of one
   * step with its own environment.
   *
   * @throws IllegalArgumentException when {@code variant} names another image or other mounts
   * @throws ContainerException when the runtime cannot express the variant
   */
  public List<String> argvFor(ContainerSpec variant) throws ContainerException {
    boolean same =
        variant.image().equals(spec.image())
            && variant.input().equals(spec.input())
            && variant.output().equals(spec.output())
            && variant.user().equals(spec.user());
    if (!same) {
      throw new IllegalArgumentException("a variant must keep the image, mounts and user");
    }
    return List.copyOf(builder.argv(variant));
  }

  /** Returns the runtime's name. */
  public String runtime() {
    return runtime;
  }

  /** Returns the complete argv for the prepared spec: runtime, its options, and the command. */
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
