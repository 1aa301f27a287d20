package org.hpcs.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
