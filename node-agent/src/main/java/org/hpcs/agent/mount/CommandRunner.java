package org.hpcs.agent.mount;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short-lived external tools (gocryptfs -init, fusermount3, squashfuse) with an optional
 * secret on standard input. The secret is written to a pipe and the pipe is closed, so it never
 * appears on a command line, in the environment or in a file.
 */
public final class CommandRunner {
  private static final int MAX_OUTPUT = 64 * 1024;

  private CommandRunner() {}

  /**
   * Runs {@code argv} with an empty standard input.
   *
   * @throws MountException if the command cannot be started or does not finish in {@code timeout}
   */
  public static CommandResult run(List<String> argv, Duration timeout) throws MountException {
    return run(argv, new byte[0], timeout);
  }

  /**
   * Runs {@code argv}, writes {@code stdin} to its standard input and closes it. The caller keeps
   * ownership of {@code stdin} and wipes it.
   *
   * @throws MountException if the command cannot be started or does not finish in {@code timeout}
   */
  public static CommandResult run(List<String> argv, byte[] stdin, Duration timeout)
      throws MountException {
    Process process = start(argv);
    CompletableFuture<String> output = readAsync(process.getInputStream());
    try {
      writeAndClose(process.getOutputStream(), stdin);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new MountException(
            argv.get(0) + " did not finish within " + timeout.toSeconds() + " s; it was killed");
      }
      return new CommandResult(argv, process.exitValue(), output.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new MountException("Interrupted while running " + argv.get(0), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new MountException("Cannot read the output of " + argv.get(0), e);
    }
  }

  private static Process start(List<String> argv) throws MountException {
    try {
      return new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new MountException(
          "Cannot start " + argv.get(0) + ": " + e.getMessage() + "; is it installed?", e);
    }
  }

  private static void writeAndClose(OutputStream stdin, byte[] bytes) throws MountException {
    try (stdin) {
      stdin.write(bytes);
    } catch (IOException e) {
      // The tool exited before reading its input; its exit status and output explain why.
      if (bytes.length > 0 && !"Broken pipe".equals(e.getMessage())) {
        throw new MountException("Cannot write to the standard input of a tool", e);
      }
    }
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return readBounded(in);
          } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
          }
        },
        command -> Thread.ofVirtual().start(command));
  }

  private static String readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream retained = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      int room = MAX_OUTPUT - retained.size();
      if (room > 0) {
        retained.write(buffer, 0, Math.min(n, room));
      }
    }
    return retained.toString(StandardCharsets.UTF_8);
  }
}
