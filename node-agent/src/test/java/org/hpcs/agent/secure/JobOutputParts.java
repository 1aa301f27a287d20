package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.testcluster.CommandResult;
import org.hpcs.testcluster.TestCluster;

/** What the secured-job integration tests read back: output parts and the host's jp2a result. */
public final class JobOutputParts {
  private JobOutputParts() {}

  /**
   * Waits up to a minute for a node's output part in {@code dir} (written at job end on that node)
   * and returns its decrypted tar entries by name.
   */
  public static Map<String, byte[]> await(Path dir, long jobId, String node, AgeIdentity output)
      throws Exception {
    Path part = dir.resolve("hpcs-output-" + jobId + "." + node + ".tar.age");
    Instant deadline = Instant.now().plusSeconds(60);
    while (!Files.exists(part) && Instant.now().isBefore(deadline)) {
      Thread.sleep(500);
    }
    Path log = dir.resolve("slurm-" + jobId + ".out");
    assertThat(part)
        .as(
            "output part of %s; job output: %s",
            node, Files.exists(log) ? Files.readString(log) : "")
        .exists();
    return decrypt(part, output);
  }

  /** Decrypts an output part and returns its tar entries by name. */
  static Map<String, byte[]> decrypt(Path part, AgeIdentity output) throws Exception {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
      AgeDecryptor.decrypt(
          in, part.toString(), Channels.newChannel(plain), List.of(output), n -> {});
    }
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new ByteArrayInputStream(plain.toByteArray()))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        entries.put(entry.getName(), tar.readAllBytes());
      }
    }
    return entries;
  }

  /** Returns what jp2a makes of {@code png} on the host, the reference for the container's. */
  static String hostJp2a(TestCluster cluster, Path png) {
    CommandResult result =
        cluster.runAs("root", Duration.ofSeconds(30), "jp2a", "--width=60", png.toString());
    assertThat(result.succeeded()).as(result.describe()).isTrue();
    return result.stdout();
  }

  /** Gives {@code dir} and everything in it to {@code user}. */
  static void chown(TestCluster cluster, String user, Path dir) {
    CommandResult result =
        cluster.runAs(
            "root", Duration.ofSeconds(30), "chown", "-R", user + ":" + user, dir.toString());
    assertThat(result.succeeded()).as(result.describe()).isTrue();
  }
}
