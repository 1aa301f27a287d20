package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    ClusterLauncher launcher =
        new ClusterLauncher(dir, dir.resolve("stack.env"), dir.resolve("repo"));

    assertThat(launcher.healthy()).isFalse();
  }

  @Test
  void stackRepo_envNamesCheckoutWithScript_returnsIt() throws Exception {
    Path owner = checkout("owner");
    Files.writeString(dir.resolve("stack.env"), "HPCS_REPO=" + owner + "\n");
    ClusterLauncher launcher =
        new ClusterLauncher(checkout("tests"), dir.resolve("stack.env"), dir.resolve("repo"));

    assertThat(launcher.stackRepo()).contains(owner);
  }

  @Test
  void stackRepo_noEnvFile_usesRepoFileOfLastUp() throws Exception {
    Path owner = checkout("owner");
    Files.writeString(dir.resolve("repo"), owner + "\n");
    ClusterLauncher launcher =
        new ClusterLauncher(checkout("tests"), dir.resolve("stack.env"), dir.resolve("repo"));

    assertThat(launcher.stackRepo()).contains(owner);
  }

  @Test
  void stackRepo_namedCheckoutDeleted_isEmpty() throws Exception {
    Files.writeString(dir.resolve("stack.env"), "HPCS_REPO=" + dir.resolve("gone") + "\n");
    ClusterLauncher launcher =
        new ClusterLauncher(checkout("tests"), dir.resolve("stack.env"), dir.resolve("repo"));

    assertThat(launcher.stackRepo()).isEmpty();
  }

  @Test
  void missingBuildOutputs_bareCheckout_namesEachPartAndItsCommand() throws Exception {
    Path repo = checkout("bare");

    List<String> missing = ClusterLauncher.missingBuildOutputs(repo, dir.resolve("no-state"));

    assertThat(missing).hasSize(4);
    assertThat(missing.get(0)).contains("build/spire/bin", "install-deps");
    assertThat(missing.get(1)).contains("build/bin/bao", "install-deps");
    assertThat(missing.get(2)).contains("server/target", "make build");
    assertThat(missing.get(3)).contains("hpcs-node-agent.jar", "make build");
  }

  @Test
  void missingBuildOutputs_builtCheckout_isEmpty() throws Exception {
    Path repo = checkout("built");
    Path stateBin = Files.createDirectories(dir.resolve("state-bin"));
    for (String name : List.of("spire-server", "bao")) {
      Path binary = Files.createFile(stateBin.resolve(name));
      binary.toFile().setExecutable(true);
    }
    Files.createDirectories(repo.resolve("server/target"));
    Files.createFile(repo.resolve("server/target/hpcs-server-1.0.jar"));
    Files.createDirectories(repo.resolve("node-agent/target"));
    Files.createFile(repo.resolve("node-agent/target/hpcs-node-agent.jar"));

    assertThat(ClusterLauncher.missingBuildOutputs(repo, stateBin)).isEmpty();
  }

  private Path checkout(String name) throws Exception {
    Path script = dir.resolve(name).resolve(ClusterLauncher.SCRIPT);
    Files.createDirectories(script.getParent());
    Files.createFile(script);
    return dir.resolve(name);
  }
}
