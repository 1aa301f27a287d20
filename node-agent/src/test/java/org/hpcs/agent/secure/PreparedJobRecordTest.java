package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedJobRecordTest {
  @TempDir Path dir;

  private static PreparedJobRecord record() {
    return new PreparedJobRecord(
        42,
        "alice",
        1001,
        1001,
        "/home/alice/job",
        "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq",
        "bwrap",
        "/run/hpcs/jobs/42/image/image.sif",
        "a".repeat(64),
        "/run/hpcs/jobs/42/input",
        "/run/hpcs/jobs/42/output",
        List.of("image", "input", "output"),
        List.of("rootfs"));
  }

  @Test
  void write_read_sameRecordOwnerOnly() throws Exception {
    record().write(dir);

    assertThat(PreparedJobRecord.read(dir)).contains(record());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(PreparedJobRecord.FILE))))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(dir.resolve(PreparedJobRecord.FILE));
    }
  }

  @Test
  void read_noFile_empty() throws Exception {
    assertThat(PreparedJobRecord.read(dir)).isEmpty();
  }

  @Test
  void read_missingField_rejected() throws Exception {
    Files.writeString(dir.resolve(PreparedJobRecord.FILE), "{\"jobId\": 42, \"user\": \"alice\"}");

    assertThatThrownBy(() -> PreparedJobRecord.read(dir)).isInstanceOf(IOException.class);
  }

  @Test
  void read_unknownField_rejected() throws Exception {
    Files.writeString(
        dir.resolve(PreparedJobRecord.FILE),
        new String(Files.readAllBytes(writeAndReturn()), java.nio.charset.StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\"secret\":\"x\","));

    assertThatThrownBy(() -> PreparedJobRecord.read(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("secret");
  }

  private Path writeAndReturn() throws IOException {
    record().write(dir);
    return dir.resolve(PreparedJobRecord.FILE);
  }
}
