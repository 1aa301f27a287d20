package org.hpcs.common.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.hpcs.common.process.CommandException.Reason;
import org.hpcs.common.process.ExternalCommand.Stderr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalCommandTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int ONE_MIB = 1024 * 1024;

  /** Writes its own PID to the file named by $0, then sleeps for a minute. */
  private static final String SLEEPER = "echo $$ > \"$0\"; exec sleep 60";

  @TempDir Path dir;

  @Test
  void run_exitStatus_returned() throws Exception {
    CommandOutput output = ExternalCommand.of(List.of("/bin/sh", "-c", "exit 7")).run(TIMEOUT);

    assertThat(output.exitCode()).isEqualTo(7);
    assertThat(output.succeeded()).isFalse();
  }

  @Test
  void run_largeOutputOnBothStreams_capturedWhole() throws Exception {
    // Standard error is written first: a runner that read only standard output until its end
    // would wait forever for a program blocked on a full standard error pipe.
    String script =
        "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 1048576 /dev/zero | tr '\\0' o";

    CommandOutput output = ExternalCommand.of(List.of("/bin/sh", "-c", script)).run(TIMEOUT);

    assertThat(output.exitCode()).isZero();
    assertThat(output.stdout()).hasSize(ONE_MIB).matches("o+");
    assertThat(output.stderr()).hasSize(ONE_MIB).matches("e+");
  }

  @Test
  void run_stdin_deliveredToProgram() throws Exception {
    byte[] input = new byte[ONE_MIB];
    Arrays.fill(input, (byte) 's');

    CommandOutput output = ExternalCommand.of(List.of("/bin/cat")).withStdin(input).run(TIMEOUT);

    assertThat(output.exitCode()).isZero();
    assertThat(output.stdout().getBytes(StandardCharsets.UTF_8)).isEqualTo(input);
  }

  @Test
  void run_noStdinGiven_programReadsEndOfInput() throws Exception {
    CommandOutput output = ExternalCommand.of(List.of("/bin/cat")).run(TIMEOUT);

    assertThat(output.exitCode()).isZero();
    assertThat(output.stdout()).isEmpty();
  }

  @Test
  void run_programIgnoresStdin_exitStatusReturned() throws Exception {
    byte[] input = new byte[ONE_MIB];

    CommandOutput output =
        ExternalCommand.of(List.of("/bin/sh", "-c", "exit 3")).withStdin(input).run(TIMEOUT);

    assertThat(output.exitCode()).isEqualTo(3);
  }

  @Test
  void run_stderrMerged_inStdout() throws Exception {
    CommandOutput output =
        ExternalCommand.of(List.of("/bin/sh", "-c", "echo out; echo err >&2"))
            .withStderr(Stderr.MERGE)
            .run(TIMEOUT);

    assertThat(output.stdout()).contains("out").contains("err");
    assertThat(output.stderr()).isEmpty();
  }

  @Test
  void run_stderrDiscarded_empty() throws Exception {
    CommandOutput output =
        ExternalCommand.of(List.of("/bin/sh", "-c", "echo out; echo err >&2"))
            .withStderr(Stderr.DISCARD)
            .run(TIMEOUT);

    assertThat(output.stdout()).isEqualTo("out\n");
    assertThat(output.stderr()).isEmpty();
  }

  @Test
  void run_maxOutputBytes_keepsStartAndDrainsRest() throws Exception {
    String script = "head -c 1048576 /dev/zero | tr '\\0' a; echo done >&2";

    CommandOutput output =
        ExternalCommand.of(List.of("/bin/sh", "-c", script)).withMaxOutputBytes(10).run(TIMEOUT);

    assertThat(output.exitCode()).isZero();
    assertThat(output.stdout()).isEqualTo("aaaaaaaaaa");
    assertThat(output.stderr()).isEqualTo("done\n");
  }

  @Test
  void run_environmentVariable_seenByProgram() throws Exception {
    CommandOutput output =
        ExternalCommand.of(List.of("/bin/sh", "-c", "printf %s \"$HPCS_TEST_VALUE\""))
            .withEnvironment("HPCS_TEST_VALUE", "set by the test")
            .run(TIMEOUT);

    assertThat(output.stdout()).isEqualTo("set by the test");
  }

  @Test
  void run_missingProgram_startFailedNamingProgram() {
    CommandException e =
        assertThrows(
            CommandException.class,
            () -> ExternalCommand.of(List.of("/nonexistent/hpcs-tool")).run(TIMEOUT));

    assertThat(e.reason()).isEqualTo(Reason.START_FAILED);
    assertThat(e.getCause()).isInstanceOf(IOException.class);
    assertThat(e.getMessage()).contains("/nonexistent/hpcs-tool");
  }

  @Test
  void run_slowProgram_killedAfterTimeout() throws Exception {
    Path pidFile = dir.resolve("pid");
    ExternalCommand command =
        ExternalCommand.of(List.of("/bin/sh", "-c", SLEEPER, pidFile.toString()));

    CommandException e =
        assertThrows(CommandException.class, () -> command.run(Duration.ofSeconds(3)));

    assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT);
    assertThat(e.getMessage()).contains("/bin/sh").contains("3 s");
    assertExits(readPid(pidFile));
  }

  @Test
  void run_interrupted_killsProgramAndThrows() throws Exception {
    Path pidFile = dir.resolve("pid");
    ExternalCommand command =
        ExternalCommand.of(List.of("/bin/sh", "-c", SLEEPER, pidFile.toString()));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    command.run(TIMEOUT);
                  } catch (CommandException | InterruptedException | RuntimeException e) {
                    thrown.set(e);
                  }
                });

    long pid = awaitPid(pidFile);
    runner.interrupt();
    runner.join();

    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertExits(pid);
  }

  @Test
  void run_backgroundChildHoldsOutput_outputFailed() throws Exception {
    Path pidFile = dir.resolve("pid");
    // The shell lives one more second, so the runner is already blocked reading when it exits.
    // Otherwise the JDK may close the pipe on exit itself and the output ends at once.
    String script = "sleep 60 & echo $! > \"$0\"; sleep 1";
    ExternalCommand command =
        ExternalCommand.of(List.of("/bin/sh", "-c", script, pidFile.toString()));

    try {
      CommandException e = assertThrows(CommandException.class, () -> command.run(TIMEOUT));

      assertThat(e.reason()).isEqualTo(Reason.OUTPUT_FAILED);
      assertThat(e.getMessage()).contains("/bin/sh");
    } finally {
      ProcessHandle.of(readPid(pidFile)).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void of_emptyCommandLine_rejected() {
    assertThrows(IllegalArgumentException.class, () -> ExternalCommand.of(List.of()));
  }

  private static long awaitPid(Path pidFile) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 600; attempt++) {
      if (Files.exists(pidFile) && Files.readString(pidFile).endsWith("\n")) {
        return readPid(pidFile);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the test program wrote no PID to " + pidFile);
  }

  private static long readPid(Path pidFile) throws IOException {
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  /** Fails unless the process has exited or exits within 30 s. */
  private static void assertExits(long pid) throws Exception {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().onExit().get(30, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
  }
}
