package org.hpcs.agent.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight failures that this machine cannot produce on demand (no /dev/fuse, missing or old
 * tools), on a prepared directory tree. The passing case runs against the real host.
 */
class FusePreflightTest {
  @TempDir Path dir;

  @Test
  void check_thisHost_returnsTools() throws Exception {
    FuseTools tools = new FusePreflight(FusePreflight.Host.current()).check();

    assertThat(tools.gocryptfs()).isExecutable();
    assertThat(tools.gocryptfsVersion().isSupported()).isTrue();
    assertThat(tools.fusermount().getFileName().toString()).startsWith("fusermount");
    assertThat(tools.squashfuse()).isExecutable();
  }

  @Test
  void check_emptyNode_listsEveryMissingPiece() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    FusePreflight.Host host =
        new FusePreflight.Host(dir.resolve("fuse"), List.of(bin), dir.resolve("fuse.conf"), 1000);

    PreflightException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            PreflightException.class, () -> new FusePreflight(host).check());

    assertThat(e.problems()).hasSize(5);
    assertThat(e.problems().get(0)).contains("fuse is missing: load the fuse kernel module");
    assertThat(e.problems().get(1)).contains("fusermount3 (or fusermount) not found");
    assertThat(e.problems().get(2)).contains("gocryptfs not found").contains("install gocryptfs");
    assertThat(e.problems().get(3)).contains("squashfuse not found");
    assertThat(e.problems().get(4)).contains("no 'user_allow_other' line");
    assertThat(e.getMessage()).startsWith("FUSE preflight failed, so nothing was decrypted");
  }

  @Test
  void check_regularFileAsDevice_rejects() throws Exception {
    Path fakeDevice = Files.createFile(dir.resolve("fuse"));

    assertThatThrownBy(() -> new FusePreflight(hostWithRealTools(fakeDevice)).check())
        .hasMessageContaining("is not a character device");
  }

  @Test
  void check_fusermountWithoutSetuid_rejects() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    tool(bin, "fusermount3", "exit 0");
    tool(bin, "gocryptfs", "echo 'gocryptfs 2.3; go-fuse 2.1.0'");
    tool(bin, "squashfuse", "exit 0");
    FusePreflight.Host host =
        new FusePreflight.Host(Path.of("/dev/fuse"), List.of(bin), dir.resolve("none"), 0);

    assertThatThrownBy(() -> new FusePreflight(host).check())
        .hasMessageContaining("fusermount3 is not setuid root")
        .hasMessageContaining("chmod 4755");
  }

  @Test
  void check_oldGocryptfs_rejectsWithUpgrade() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    tool(bin, "gocryptfs", "echo 'gocryptfs v1.8.0; go-fuse v2.0.3'");
    FusePreflight.Host host =
        new FusePreflight.Host(
            Path.of("/dev/fuse"), List.of(bin, Path.of("/usr/bin")), dir.resolve("none"), 0);

    assertThatThrownBy(() -> new FusePreflight(host).check())
        .hasMessageContaining("is version 1.8, older than the supported 2.0: upgrade gocryptfs");
  }

  @Test
  void check_nonRootWithAllowOther_passes() throws Exception {
    Path conf = Files.writeString(dir.resolve("fuse.conf"), "# comment\n user_allow_other \n");
    FusePreflight.Host host =
        new FusePreflight.Host(
            Path.of("/dev/fuse"), FusePreflight.Host.current().searchPath(), conf, 1000);

    assertThat(new FusePreflight(host).check().squashfuse()).isExecutable();
  }

  private FusePreflight.Host hostWithRealTools(Path device) throws MountException {
    return new FusePreflight.Host(
        device, FusePreflight.Host.current().searchPath(), dir.resolve("none"), 0);
  }

  private static void tool(Path bin, String name, String body) throws IOException {
    Path script = bin.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
