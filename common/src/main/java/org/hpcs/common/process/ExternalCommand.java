package org.hpcs.common.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hpcs.common.process.CommandException.Reason;

/**
 * An external program to run with a time limit. Arguments go to the program as a list, never
 * through a shell. Standard output and standard error are read on their own threads, so a program
 * that prints a lot cannot stall on a full pipe. Standard input is a pipe that receives the bytes
 * given to {@link #withStdin} and is then closed, so a secret passed this way never appears on a
 * command line, in the environment or in a file.
 *
 * <p>When the time limit passes, or the calling thread is interrupted, the program is killed with
 * {@link Process#destroyForcibly()}. Processes that it started itself are not killed.
 *
 * <p>Instances are immutable; each {@code with} method returns a changed copy.
 */
public final class ExternalCommand {
  /**
   * How long the output pipes may stay open after the program exits. A process that the program
   * started in the background can hold them open, and the command then fails instead of waiting.
   */
  static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

  /** Handling of standard error. */
  public enum Stderr {
    /** Captured separately, in {@link CommandOutput#stderr()}. */
    CAPTURE,
    /** Merged into standard output, in the order the program wrote it. */
    MERGE,
    /** Discarded. */
    DISCARD
  }

  private final List<String> argv;
  private final Map<String, String> environment;
  private final byte[] stdin;
  private final Stderr stderr;
  private final int maxOutputBytes;

  private ExternalCommand(
      List<String> argv,
      Map<String, String> environment,
      byte[] stdin,
      Stderr stderr,
      int maxOutputBytes) {
    this.argv = argv;
    this.environment = environment;
    this.stdin = stdin;
    this.stderr = stderr;
    this.maxOutputBytes = maxOutputBytes;
  }

  /**
   * Creates a command with empty standard input, standard error captured and no output limit.
   *
   * @param argv the program followed by its arguments
   */
  public static ExternalCommand of(List<String> argv) {
    Objects.requireNonNull(argv, "argv must not be null");
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program");
    }
    return new ExternalCommand(
        List.copyOf(argv), Map.of(), new byte[0], Stderr.CAPTURE, Integer.MAX_VALUE);
  }

  /** Returns a copy that sets the environment variable {@code name} for the program. */
  public ExternalCommand withEnvironment(String name, String value) {
    Map<String, String> changed = new LinkedHashMap<>(environment);
    changed.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return new ExternalCommand(argv, Map.copyOf(changed), stdin, stderr, maxOutputBytes);
  }

  /**
   * Returns a copy that writes {@code input} to the program's standard input. The array is not
   * copied: the caller keeps it, must not change it while the command runs, and wipes it after.
   */
  public ExternalCommand withStdin(byte[] input) {
    return new ExternalCommand(
        argv, environment, Objects.requireNonNull(input), stderr, maxOutputBytes);
  }

  /** Returns a copy that handles standard error as {@code mode} sets. */
  public ExternalCommand withStderr(Stderr mode) {
    return new ExternalCommand(
        argv, environment, stdin, Objects.requireNonNull(mode), maxOutputBytes);
  }

  /**
   * Returns a copy that keeps at most {@code max} bytes of each output stream. The rest is read and
   * dropped, so the program never stalls on a full pipe.
   */
  public ExternalCommand withMaxOutputBytes(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max output bytes must be 0 or more, not " + max);
    }
    return new ExternalCommand(argv, environment, stdin, stderr, max);
  }

  /** Returns the program, the first element of the command line. */
  public String program() {
    return argv.get(0);
  }

  /**
   * Runs the program and waits until it exits and its output is read.
   *
   * @param timeout how long the program may run before it is killed
   * @throws CommandException if it cannot start, does not finish in time, or its input or output
   *     fails
   * @throws InterruptedException if the calling thread is interrupted; the program is killed
   */
  public CommandOutput run(Duration timeout) throws CommandException, InterruptedException {
    Process process = start();
    boolean completed = false;
    try {
      FutureTask<Void> input = inBackground(() -> writeStdin(process));
      FutureTask<byte[]> out = inBackground(() -> readBounded(process.getInputStream()));
      FutureTask<byte[]> err = inBackground(() -> readBounded(process.getErrorStream()));
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new CommandException(
            Reason.TIMED_OUT,
            program() + " did not finish within " + timeout.toSeconds() + " s and was killed",
            null);
      }
      awaitPipe(input, Reason.INPUT_FAILED, "writing the standard input of ");
      CommandOutput output =
          new CommandOutput(
              process.exitValue(),
              text(awaitPipe(out, Reason.OUTPUT_FAILED, "reading the output of ")),
              text(awaitPipe(err, Reason.OUTPUT_FAILED, "reading the errors of ")));
      completed = true;
      return output;
    } finally {
      if (!completed) {
        process.destroyForcibly();
      }
    }
  }

  private Process start() throws CommandException {
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().putAll(environment);
    switch (stderr) {
      case CAPTURE -> {}
      case MERGE -> builder.redirectErrorStream(true);
      case DISCARD -> builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    try {
      return builder.start();
    } catch (IOException e) {
      throw new CommandException(
          Reason.START_FAILED, "cannot start " + program() + ": " + e.getMessage(), e);
    }
  }

  private Void writeStdin(Process process) throws IOException {
    try (OutputStream pipe = process.getOutputStream()) {
      pipe.write(stdin);
    } catch (IOException e) {
      // A program that exits or closes its input before reading all of it breaks the pipe, and
      // once it has exited the JDK closes the stream ("Stream closed"). Its exit status and
      // output tell the caller why, so only write failures while it runs count.
      boolean inputRejected = !process.isAlive() || "Broken pipe".equals(e.getMessage());
      if (stdin.length > 0 && !inputRejected) {
        throw e;
      }
    }
    return null;
  }

  private byte[] readBounded(InputStream pipe) throws IOException {
    try (pipe) {
      byte[] kept = pipe.readNBytes(maxOutputBytes);
      pipe.transferTo(OutputStream.nullOutputStream());
      return kept;
    }
  }

  private <T> T awaitPipe(FutureTask<T> task, Reason reason, String action)
      throws CommandException, InterruptedException {
    try {
      return task.get(OUTPUT_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new CommandException(
          reason, action + program() + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new CommandException(
          reason,
          action
              + program()
              + " did not end "
              + OUTPUT_GRACE.toSeconds()
              + " s after it exited; a process it started may hold the pipe open",
          e);
    }
  }

  private static <T> FutureTask<T> inBackground(Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    Thread.ofVirtual().name("external-command-pipe").start(task);
    return task;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
