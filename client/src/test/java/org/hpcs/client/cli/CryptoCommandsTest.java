package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoCommandsTest {
  @TempDir Path dir;
  private Path identity;
  private String recipient;
  private Path plain;

  @BeforeEach
  void setUp() throws Exception {
    identity = dir.resolve("id.txt");
    exec("age-keygen", "-o", identity.toString());
    recipient = exec("age-keygen", "-y", identity.toString()).strip();
    byte[] bytes = new byte[10 * 65536 + 999];
    new Random(42).nextBytes(bytes);
    plain = Files.write(dir.resolve("plain.bin"), bytes);
  }

  @Test
  void encrypt_file_ageCliDecrypts() throws Exception {
    Path encrypted = dir.resolve("out.age");

    CliRunner.Result result =
        CliRunner.run("encrypt", "-r", recipient, "-o", encrypted.toString(), plain.toString());

    assertThat(result.exitCode()).isZero();
    Path decrypted = dir.resolve("back.bin");
    exec("age", "-d", "-i", identity.toString(), "-o", decrypted.toString(), encrypted.toString());
    assertThat(Files.mismatch(decrypted, plain)).isEqualTo(-1);
  }

  @Test
  void decrypt_ageArmored_samePlaintext() throws Exception {
    Path encrypted = dir.resolve("in.age");
    exec("age", "-a", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    Path decrypted = dir.resolve("back.bin");

    CliRunner.Result result =
        CliRunner.run(
            "decrypt", "-i", identity.toString(), "-o", decrypted.toString(), encrypted.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(Files.mismatch(decrypted, plain)).isEqualTo(-1);
  }

  @Test
  void decrypt_corrupted_exit1NamedChunkNoOutput() throws Exception {
    Path encrypted = ageEncrypt();
    flip(encrypted, Files.size(encrypted) / 2);

    assertFailure(encrypted, "is corrupted: payload chunk");
  }

  @Test
  void decrypt_truncatedMidChunk_exit1NoOutput() throws Exception {
    Path encrypted = ageEncrypt();
    truncate(encrypted, Files.size(encrypted) - 30_000);

    assertFailure(encrypted, "is truncated");
  }

  @Test
  void decrypt_truncatedAtChunkBoundary_exit1NoOutput() throws Exception {
    Path encrypted = ageEncrypt();
    long header = Files.size(encrypted) - (10 * 65552L + 999 + 16) - 16;
    truncate(encrypted, header + 16 + 5 * 65552L);

    assertFailure(encrypted, "is truncated");
  }

  @Test
  void decrypt_wrongKey_exit1NoOutput() throws Exception {
    Path other = dir.resolve("other.txt");
    exec("age-keygen", "-o", other.toString());
    Path encrypted = dir.resolve("in.age");
    exec(
        "age",
        "-r",
        exec("age-keygen", "-y", other.toString()).strip(),
        "-o",
        encrypted.toString(),
        plain.toString());

    assertFailure(encrypted, "no identity matches a recipient");
  }

  @Test
  void decrypt_empty_exit1NoOutput() throws Exception {
    assertFailure(Files.createFile(dir.resolve("empty.age")), "is empty");
  }

  @Test
  void decrypt_notAge_exit1NoOutput() throws Exception {
    assertFailure(plain, "is not an age file");
  }

  @Test
  void decrypt_outputSymlinkToLargerFile_exactPlaintext() throws Exception {
    Path encrypted = ageEncrypt();
    Path victim = Files.write(dir.resolve("victim.bin"), new byte[(int) (2 * Files.size(plain))]);
    Path link = Files.createSymbolicLink(dir.resolve("link.bin"), victim);

    CliRunner.Result result =
        CliRunner.run(
            "decrypt", "-i", identity.toString(), "-o", link.toString(), encrypted.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(Files.mismatch(link, plain)).isEqualTo(-1);
    assertThat(Files.size(victim)).isEqualTo(2 * Files.size(plain));
  }

  @Test
  void encrypt_directoryInput_exit1NamesInput() throws Exception {
    Path output = dir.resolve("out.age");
    List<String> before = list();

    CliRunner.Result result =
        CliRunner.run("encrypt", "-r", recipient, "-o", output.toString(), dir.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("hpcs: error: input " + dir + " is a directory")
        .contains("hpcs bundle create --data")
        .doesNotContain("--stacktrace");
    assertThat(list()).isEqualTo(before);
  }

  @Test
  void decrypt_directoryOutput_exit1NamesOutput() throws Exception {
    Path encrypted = ageEncrypt();
    Path output = Files.createDirectory(dir.resolve("out"));

    CliRunner.Result result =
        CliRunner.run(
            "decrypt", "-i", identity.toString(), "-o", output.toString(), encrypted.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("hpcs: error: output " + output + " is a directory")
        .doesNotContain("--stacktrace");
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void encrypt_outputDirectoryMissing_exit1NamesDirectory() {
    Path missing = dir.resolve("missing");

    CliRunner.Result result =
        CliRunner.run(
            "encrypt",
            "-r",
            recipient,
            "-o",
            missing.resolve("out.age").toString(),
            plain.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("hpcs: error: " + missing.resolve("out.age"))
        .contains("directory " + missing + " does not exist")
        .doesNotContain("FileSystemException")
        .doesNotContain("--stacktrace");
  }

  @Test
  void decrypt_missingIdentityOption_exit2() {
    CliRunner.Result result = CliRunner.run("decrypt", plain.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("hpcs: error: ")
        .contains("hpcs: hint: usage: hpcs decrypt");
  }

  @Test
  void decrypt_failure_noStackTraceUnlessAsked() throws Exception {
    CliRunner.Result quiet =
        CliRunner.run(
            "decrypt",
            "-i",
            identity.toString(),
            "-o",
            dir.resolve("o").toString(),
            plain.toString());
    CliRunner.Result verbose =
        CliRunner.run(
            "decrypt",
            "--stacktrace",
            "-i",
            identity.toString(),
            "-o",
            dir.resolve("o").toString(),
            plain.toString());

    assertThat(quiet.err()).doesNotContain("\tat ");
    assertThat(verbose.err()).contains("\tat org.hpcs");
  }

  @Test
  void everyCommand_help_explainsOptions() {
    for (List<String> command :
        List.of(
            List.of("login"),
            List.of("keygen"),
            List.of("encrypt"),
            List.of("decrypt"),
            List.of("bundle", "create"),
            List.of("bundle", "ship"))) {
      String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
      CliRunner.Result result = CliRunner.run(args);

      assertThat(result.exitCode()).as(command.toString()).isZero();
      assertThat(result.out())
          .as(command.toString())
          .contains("--config=FILE")
          .contains("--stacktrace");
    }
  }

  private void assertFailure(Path input, String expected) throws IOException {
    Path output = dir.resolve("decrypted.bin");
    List<String> before = list();

    CliRunner.Result result =
        CliRunner.run(
            "decrypt", "-i", identity.toString(), "-o", output.toString(), input.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("hpcs: error: ").contains(expected);
    assertThat(result.err()).doesNotContain("AGE-SECRET-KEY");
    assertThat(output).doesNotExist();
    assertThat(list()).isEqualTo(before);
  }

  private Path ageEncrypt() throws Exception {
    Path encrypted = dir.resolve("in.age");
    exec("age", "-r", recipient, "-o", encrypted.toString(), plain.toString());
    return encrypted;
  }

  private List<String> list() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 1);
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  static String exec(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }
}
