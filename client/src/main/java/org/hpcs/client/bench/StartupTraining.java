package org.hpcs.client.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.hpcs.client.cli.HpcsCommand;
import org.hpcs.common.crypto.AgeIdentity;

/**
 * The workload the build runs once to record the class-data sharing archive that {@code
 * client/bin/hpcs} starts with: {@code hpcs encrypt} and {@code hpcs decrypt}, binary and armored,
 * on a few MiB of throw-away data with a throw-away key, in a private temporary directory that is
 * removed afterwards. Standard output is discarded while the commands run.
 *
 * <p>Usage: {@code StartupTraining} (no arguments). Exits non-zero if a command fails.
 */
public final class StartupTraining {
  private static final int SIZE = 4 << 20;

  private StartupTraining() {}

  /** Runs the workload described in the class comment. */
  public static void main(String[] args) throws IOException {
    Path dir =
        Files.createTempDirectory(
            "hpcs-training.",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    try {
      train(dir);
    } finally {
      System.setOut(stdout);
      deleteTree(dir);
    }
  }

  private static void train(Path dir) throws IOException {
    AgeIdentity identity = AgeIdentity.generate();
    Path key = dir.resolve("key.txt");
    Files.writeString(key, identity.toIdentityFileText(Instant.now()));
    Path plain = dir.resolve("plain.bin");
    Files.write(plain, randomBytes());
    String recipient = identity.recipient().value();
    String keyFile = key.toString();
    run("encrypt", "-r", recipient, "-o", dir.resolve("p.age").toString(), plain.toString());
    run("decrypt", "-i", keyFile, "-o", dir.resolve("p.out").toString(), dir + "/p.age");
    run("encrypt", "-a", "-r", recipient, "-o", dir + "/p.asc", plain.toString());
    run("decrypt", "-i", keyFile, "-o", dir.resolve("a.out").toString(), dir + "/p.asc");
    run("--version");
  }

  private static void run(String... args) {
    int status = HpcsCommand.commandLine().execute(args);
    if (status != 0) {
      throw new IllegalStateException("hpcs " + args[0] + " exited " + status + " in training");
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[SIZE];
    new SplittableRandom(1).nextBytes(bytes);
    return bytes;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
