package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseDirectoriesTest {
  @TempDir Path temp;

  @Test
  void makeTraversable_rootOnlyParent_getsSearchBitOnly() throws Exception {
    RootOnly.assumeRoot();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
    Path jobs = Files.createDirectory(temp.resolve("jobs"));
    Files.setPosixFilePermissions(jobs, PosixFilePermissions.fromString("rwx------"));
    Path node = Files.createDirectory(jobs.resolve("n1"));
    Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rwx--x--x"));

    BaseDirectories.makeTraversable(node);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobs)))
        .isEqualTo("rwx--x--x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)))
        .isEqualTo("rwx--x--x");
  }

  @Test
  void makeTraversable_userOwnedClosedParent_rejected() throws Exception {
    RootOnly.assumeRoot();
    Path closed = Files.createDirectory(temp.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Files.setAttribute(closed, "unix:uid", RootOnly.UID);
    Path inner = Files.createDirectory(closed.resolve("inner"));

    assertThatThrownBy(() -> BaseDirectories.makeTraversable(inner))
        .hasMessageContaining("chmod o+x " + closed);
  }

  @Test
  void create_missingParents_parentsTraversable() throws Exception {
    RootOnly.assumeRoot();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = temp.resolve("run/hpcs/jobs/n1");

    BaseDirectories.create(dir, "rwx--x--x");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx--x--x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())))
        .isEqualTo("rwxr-xr-x");
  }
}
