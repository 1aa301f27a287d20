package org.hpcs.agent.userio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening files with a user's rights; switching file-system ids needs root. */
class UserFilesTest {
  private static final UserIdentity NOBODY = UserIdentity.lookup("nobody", 65534, 65534);

  @TempDir Path temp;

  @BeforeEach
  void setUp() throws Exception {
    String status = Files.readString(Path.of("/proc/self/status"));
    assumeTrue(status.contains("\nUid:\t0\t0\t0\t0"), "needs root to switch file-system ids");
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void readAll_worldReadableFile_returnsContent() throws Exception {
    Path file = write("open.txt", "hello", "rw-r--r--");

    assertThat(new String(UserFiles.readAll(NOBODY, file, 100), StandardCharsets.UTF_8))
        .isEqualTo("hello");
  }

  @Test
  void readAll_rootOnlyFile_permissionDenied() throws Exception {
    Path file = write("secret.txt", "root only", "rw-------");

    assertThatThrownBy(() -> UserFiles.readAll(NOBODY, file, 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("user nobody cannot open " + file)
        .hasMessageContaining("Permission denied");
  }

  @Test
  void readAll_symlinkToRootOnlyFile_permissionDenied() throws Exception {
    Path secret = write("secret.txt", "root only", "rw-------");
    Path link = Files.createSymbolicLink(temp.resolve("link.txt"), secret);

    assertThatThrownBy(() -> UserFiles.readAll(NOBODY, link, 100))
        .hasMessageContaining("Permission denied");
  }

  @Test
  void readAll_fileInRootOnlyDirectory_permissionDenied() throws Exception {
    Path dir = Files.createDirectory(temp.resolve("private"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path file = Files.writeString(dir.resolve("open.txt"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> UserFiles.readAll(NOBODY, file, 100))
        .hasMessageContaining("Permission denied");
  }

  @Test
  void openForReading_fifo_rejectedWithoutBlocking() throws Exception {
    Path fifo = temp.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", "-m", "0666", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    assertThatThrownBy(() -> UserFiles.openForReading(NOBODY, fifo))
        .hasMessageContaining("is not a regular file");
  }

  @Test
  void readAll_largerThanLimit_rejected() throws Exception {
    Path file = write("big.txt", "0123456789", "rw-r--r--");

    assertThatThrownBy(() -> UserFiles.readAll(NOBODY, file, 5))
        .hasMessageContaining("more than the 5 allowed");
  }

  @Test
  void call_actionSeesUserIds_callerKeepsRoot() throws Exception {
    String inside =
        UserIo.call(NOBODY, () -> Files.readString(Path.of("/proc/thread-self/status")));
    String outside = Files.readString(Path.of("/proc/thread-self/status"));

    assertThat(fsIds(inside, "Uid:")).isEqualTo("65534");
    assertThat(fsIds(inside, "Gid:")).isEqualTo("65534");
    assertThat(fsIds(outside, "Uid:")).isEqualTo("0");
  }

  @Test
  void call_actionThrows_exceptionReachesCaller() {
    assertThatThrownBy(
            () ->
                UserIo.call(
                    NOBODY,
                    () -> {
                      throw new IOException("from the user thread");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("from the user thread");
  }

  @Test
  void lookup_nobody_includesPrimaryGroup() {
    assertThat(NOBODY.groups()).contains(65534);
  }

  private Path write(String name, String content, String mode) throws IOException {
    Path file = Files.writeString(temp.resolve(name), content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  /** Returns the file-system id (fourth number) of a Uid: or Gid: line. */
  private static String fsIds(String status, String prefix) {
    for (String line : List.of(status.split("\n", -1))) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).strip().split("\\s+", -1)[3];
      }
    }
    return "";
  }
}
