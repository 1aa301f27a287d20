package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLauncherTest {

  @TempDir Path dir;

  @Test
  void findRepoRoot_fromNestedModuleDirectory_findsScriptOwner() throws Exception {
    Path script = dir.resolve(ClusterLauncher.SCRIPT);
    Files.createDirectories(script.getParent());
    Files.createFile(script);
    Path nested = Files.createDirectories(dir.resolve("server/target/test-classes"));

    assertThat(ClusterLauncher.findRepoRoot(nested)).isEqualTo(dir.toAbsolutePath());
  }

  @Test
  void findRepoRoot_noScriptAbove_namesStartAndProperty() {
    assertThatThrownBy(() -> ClusterLauncher.findRepoRoot(dir))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining(ClusterLauncher.REPO_ROOT_PROPERTY);
  }

  @Test
  void healthy_noEnvFile_isFalseWithoutRunningTheScript() {
    ClusterLauncher launcher = new ClusterLauncher(dir, dir.resolve("stack.env"));

    assertThat(launcher.healthy()).isFalse();
  }
}
