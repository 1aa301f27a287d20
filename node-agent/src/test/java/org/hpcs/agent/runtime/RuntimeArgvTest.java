package org.hpcs.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hpcs.agent.sif.SifFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeArgvTest {
  private static final JobUser USER = new JobUser("alice", 1001, 1001);
  private static final String SHA = "ab".repeat(32);

  @TempDir Path dir;

  @Test
  void apptainerArgv_everyOption_isDocumented() throws Exception {
    List<String> argv = apptainer(false).argv(spec(SHA, Map.of("LANG", "C")));
    Set<String> documented = documentedApptainerFlags();

    List<String> options =
        argv.subList(2, argv.indexOf(spec(SHA, Map.of()).image().toString())).stream()
            .filter(a -> a.startsWith("--"))
            .map(a -> a.substring(2))
            .toList();
    assertThat(options).isSubsetOf(documented);
    assertThat(options)
        .contains("containall", "cleanenv", "no-home", "no-mount", "no-eval", "net", "cwd");
  }

  @Test
  void apptainerArgv_shape_bindsInputReadOnlyAndEndsWithCommand() throws Exception {
    ContainerSpec spec = spec(SHA, Map.of("LANG", "C"));

    List<String> argv = apptainer(false).argv(spec);

    assertThat(argv.subList(0, 2)).containsExactly("/usr/bin/apptainer", "exec");
    assertThat(argv).containsSequence("--bind", spec.input() + ":/hpcs/input:ro");
    assertThat(argv).containsSequence("--bind", spec.output() + ":/hpcs/output:rw");
    assertThat(argv).containsSequence("--network", "none");
    assertThat(argv).containsSequence("--env", "LANG=C");
    assertThat(argv).endsWith(spec.image().toString(), "jp2a", "--width=40", "in.png");
  }

  @Test
  void apptainerArgv_commaInValue_rejects() {
    assertThatThrownBy(() -> apptainer(false).argv(spec(SHA, Map.of("LIST", "a,b"))))
        .hasMessageContaining("LIST has a value with ','");
  }

  @Test
  void apptainerPrepare_plainImageWhenEncryptionRequired_rejects() throws Exception {
    Path sif = new SifFixture().squashfs(2).write(dir.resolve("image.sif"));
    ContainerSpec spec = spec(ImageCheck.sha256(sif), Map.of(), sif);

    assertThatThrownBy(() -> apptainer(true).prepare(spec, null))
        .isInstanceOf(ContainerException.class)
        .hasMessageContaining("has no encrypted root file system");
  }

  @Test
  void apptainerPrepare_systemPartitionOnly_rejects() throws Exception {
    Path sif = new SifFixture().squashfs(1).write(dir.resolve("image.sif"));
    ContainerSpec spec = spec(ImageCheck.sha256(sif), Map.of(), sif);

    assertThatThrownBy(() -> apptainer(false).prepare(spec, null))
        .hasMessageContaining("Apptainer runs only the primary one");
  }

  @Test
  void apptainerPrepare_validImage_returnsArgv() throws Exception {
    Path sif = new SifFixture().squashfs(2).write(dir.resolve("image.sif"));
    ContainerSpec spec = spec(ImageCheck.sha256(sif), Map.of(), sif);

    try (PreparedContainer container = apptainer(false).prepare(spec, null)) {
      assertThat(container.argv()).contains(sif.toString());
      assertThat(container.runtime()).isEqualTo("apptainer");
    }
  }

  @Test
  void imageCheck_otherImage_rejectsWithBothDigests() throws Exception {
    Path sif = new SifFixture().squashfs(2).write(dir.resolve("image.sif"));

    assertThatThrownBy(() -> ImageCheck.verify(sif, SHA))
        .hasMessageContaining("but the job's manifest records " + SHA)
        .hasMessageContaining("not the image that was submitted");
  }

  @Test
  void imageCheck_notSif_rejects() throws Exception {
    Path text = Files.writeString(dir.resolve("image.sif"), "x".repeat(200));

    assertThatThrownBy(() -> ImageCheck.verify(text, ImageCheck.sha256(text)))
        .hasMessageContaining("is not usable")
        .hasMessageContaining("no SIF_MAGIC");
  }

  @Test
  void bwrapArgv_environment_clearedThenAllowListOnly() throws Exception {
    ContainerSpec spec = spec(SHA, Map.of("LANG", "C"));

    List<String> argv = new BwrapRuntime(Path.of("/usr/bin/bwrap")).argv(spec, Path.of("/r/root"));

    assertThat(argv.get(0)).isEqualTo("/usr/bin/bwrap");
    assertThat(argv).containsSequence("--ro-bind", "/r/root", "/");
    assertThat(argv).containsSequence("--ro-bind", spec.input().toString(), "/hpcs/input");
    assertThat(argv).containsSequence("--bind", spec.output().toString(), "/hpcs/output");
    assertThat(argv).contains("--unshare-all", "--die-with-parent", "--new-session");
    assertThat(argv.indexOf("--clearenv")).isLessThan(argv.indexOf("--setenv"));
    assertThat(argv).containsSequence("--setenv", "LANG", "C");
    assertThat(argv).containsSequence("--setenv", "HOME", "/hpcs/output");
    assertThat(argv.stream().filter(a -> a.equals("--setenv")).count()).isEqualTo(5);
    assertThat(argv).containsSequence("--chdir", "/hpcs/output", "--", "jp2a");
  }

  private ContainerSpec spec(String sha, Map<String, String> env) throws ContainerException {
    return spec(sha, env, dir.resolve("image.sif"));
  }

  private ContainerSpec spec(String sha, Map<String, String> env, Path image)
      throws ContainerException {
    return new ContainerSpec(
        image,
        sha,
        dir.resolve("in"),
        dir.resolve("out"),
        USER,
        List.of("jp2a", "--width=40", "in.png"),
        EnvironmentAllowList.of(env));
  }

  private static ApptainerRuntime apptainer(boolean requireEncrypted) {
    return new ApptainerRuntime(Path.of("/usr/bin/apptainer"), requireEncrypted);
  }

  private static Set<String> documentedApptainerFlags() throws IOException {
    try (InputStream in =
        RuntimeArgvTest.class.getResourceAsStream("/testdata/runtime/apptainer-exec-flags.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .collect(Collectors.toSet());
    }
  }
}
