package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input mistakes are reported before hpcs bundle create reads keys or contacts Vault. */
class BundleCreateCommandTest {
  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    // Nothing listens on port 1, so any contact with Vault would fail with "cannot reach Vault".
    config =
        Files.writeString(
            dir.resolve("config.properties"),
            "vault.url=http://127.0.0.1:1\nkeys.dir=" + dir.resolve("keys") + "\n");
  }

  @Test
  void create_missingImage_namesInputBeforeVault() {
    Path missing = dir.resolve("missing.sif");

    CliRunner.Result result = create("--image", missing.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("hpcs: error: input " + missing + " not found");
    assertThat(result.err()).doesNotContain("Vault");
  }

  @Test
  void create_imageNotSif_namesInputBeforeVault() throws Exception {
    Path plain = Files.write(dir.resolve("plain.sif"), new byte[4096]);

    CliRunner.Result result = create("--image", plain.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("hpcs: error: " + plain + " is not a SIF image");
    assertThat(result.err()).doesNotContain("Vault");
  }

  @Test
  void create_missingData_leavesNoFiles() throws Exception {
    Path missing = dir.resolve("missing-dataset");

    CliRunner.Result result = create("--data", missing.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("hpcs: error: input " + missing + " not found");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(config);
    }
  }

  private CliRunner.Result create(String kindOption, String input) {
    return CliRunner.run(
        "bundle",
        "create",
        "--config",
        config.toString(),
        "--no-register",
        "--out-dir",
        dir.toString(),
        kindOption,
        input);
  }
}
