package org.hpcs.common.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the crypto tests: random files and the age command-line tool. */
final class TestFiles {
  private TestFiles() {}

  /** Writes {@code size} pseudo-random bytes (seeded, so failures can be reproduced). */
  static Path randomFile(Path file, long size, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long remaining = size;
      while (remaining > 0) {
        buffer.clear();
        while (buffer.remaining() >= Long.BYTES) {
          buffer.putLong(random.nextLong());
        }
        buffer.flip();
        buffer.limit((int) Math.min(buffer.limit(), remaining));
        remaining -= buffer.remaining();
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
    }
    return file;
  }

  /** Runs a command, fails on a non-zero exit, and returns its standard output as text. */
  static String run(Path workDir, String... command) throws IOException, InterruptedException {
    Result result = runAllowingFailure(workDir, command);
    if (result.exitCode() != 0) {
      throw new IOException(
          String.join(" ", command) + " exited " + result.exitCode() + ": " + result.stderr());
    }
    return result.stdout();
  }

  /** Result of a finished command. */
  record Result(int exitCode, String stdout, String stderr) {}

  static Result runAllowingFailure(Path workDir, String... command)
      throws IOException, InterruptedException {
    Path stdout = Files.createTempFile(workDir, "stdout", ".txt");
    Path stderr = Files.createTempFile(workDir, "stderr", ".txt");
    Process process =
        new ProcessBuilder(List.of(command))
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " timed out");
    }
    Result result =
        new Result(
            process.exitValue(),
            Files.readString(stdout, StandardCharsets.UTF_8),
            Files.readString(stderr, StandardCharsets.UTF_8));
    Files.delete(stdout);
    Files.delete(stderr);
    return result;
  }

  /** Lists the names in a directory, sorted. */
  static List<String> list(Path directory) throws IOException {
    List<String> names = new ArrayList<>();
    try (var stream = Files.list(directory)) {
      stream.forEach(p -> names.add(p.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }
}
