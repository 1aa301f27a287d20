package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A process ended by a signal while writing must not leave its temporary output file behind. */
class AtomicFileOutputSignalTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM", "HUP"})
  void signalWhileWriting_temporaryFileDeleted(String signal) throws Exception {
    // A shell that starts commands in the background sets SIGINT (and nohup SIGHUP) to ignored,
    // and the child inherits that: such a signal never reaches the JVM, so there is nothing to
    // test.
    assumeFalse(ignoredHere(signal), "SIG" + signal + " is ignored in this test's process");
    Process child = startWriter(dir.resolve("out.bin"));
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      assertThat(out.readLine()).isEqualTo("written");
      assertThat(TestFiles.list(dir)).singleElement().asString().endsWith(".partial");

      TestFiles.run(dir, "kill", "-" + signal, Long.toString(child.pid()));

      assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(TestFiles.list(dir)).isEmpty();
  }

  /** Tells whether this process ignores the signal, which the child then ignores as well. */
  private static boolean ignoredHere(String signal) throws Exception {
    int number =
        switch (signal) {
          case "HUP" -> 1;
          case "INT" -> 2;
          case "TERM" -> 15;
          default -> throw new IllegalArgumentException("no number known for SIG" + signal);
        };
    String mask =
        Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(line -> line.startsWith("SigIgn:"))
            .findFirst()
            .orElseThrow()
            .substring("SigIgn:".length())
            .strip();
    return new BigInteger(mask, 16).testBit(number - 1);
  }

  private static Process startWriter(Path output) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                PartialOutputWriter.class.getName(),
                output.toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }
}
