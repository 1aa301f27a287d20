package org.hpcs.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchScriptTest {
  private static final List<String> HARD_ARGUMENTS =
      List.of(
          "python3",
          "with space",
          "double\"quote",
          "single'quote",
          "it's \"both\"",
          "$HOME",
          "${PATH}",
          "`id`",
          "$(id)",
          "new\nline",
          "back\\slash",
          "tab\there",
          "glob*?[a]",
          "semi;colon && echo injected",
          "",
          "~",
          "#not-a-comment",
          "--flag=value");

  @TempDir Path dir;

  private static SlurmOptions options(List<String> command) {
    return new SlurmOptions("demo", 2, "debug", "1-02:03:04", command);
  }

  @Test
  void render_fullOptions_headerInOrder() {
    BatchScript script =
        new BatchScript(
            "/home/alice/hpcs-bundles/job-1.job.json",
            "/home/alice/hpcs-bundles",
            options(List.of("hostname")));

    List<String> lines = script.render().lines().toList();

    assertThat(lines.subList(0, 6))
        .containsExactly(
            "#!/bin/bash",
            "#SBATCH --job-name=demo",
            "#SBATCH --chdir=/home/alice/hpcs-bundles",
            "#SBATCH --nodes=2",
            "#SBATCH --partition=debug",
            "#SBATCH --time=1-02:03:04");
    assertThat(lines.getLast())
        .isEqualTo("srun --hpcs-secure=/home/alice/hpcs-bundles/job-1.job.json hostname");
  }

  @Test
  void render_oneNode_scriptSecuredAndRunsCommandItself() {
    BatchScript script =
        new BatchScript(
            "/d/j.job.json",
            "/d",
            new SlurmOptions(
                "demo", 1, null, null, List.of("sh", "-c", "echo a > /hpcs/output/a")));

    List<String> lines = script.render().lines().toList();

    assertThat(lines.get(1)).isEqualTo("#SBATCH --hpcs-secure=/d/j.job.json");
    assertThat(lines).noneMatch(line -> line.startsWith("srun"));
    assertThat(lines.getLast()).isEqualTo("exec sh -c 'echo a > /hpcs/output/a'");
  }

  @Test
  void render_severalNodes_hostScriptStartsOneSecuredStep() {
    BatchScript script = new BatchScript("/d/j.job.json", "/d", options(List.of("hostname")));

    String text = script.render();

    assertThat(script.multiNode()).isTrue();
    assertThat(text).doesNotContain("#SBATCH --hpcs-secure");
    assertThat(text).endsWith("\nsrun --hpcs-secure=/d/j.job.json hostname\n");
  }

  @Test
  void render_defaultsOmitted_noSlurmLinesForThem() {
    BatchScript script =
        new BatchScript(
            "/d/j.job.json", "/d", new SlurmOptions("demo", null, null, null, List.of("true")));

    String text = script.render();

    assertThat(text).doesNotContain("--nodes").doesNotContain("--partition");
    assertThat(text).doesNotContain("--time");
  }

  @Test
  void render_hardArguments_bashPassesThemUnchanged() throws Exception {
    BatchScript script = new BatchScript("/d/j.job.json", "/d", options(HARD_ARGUMENTS));
    // Replace srun with a function that prints each argument NUL-terminated, then run the script.
    Path file =
        Files.writeString(
            dir.resolve("job.sh"),
            script
                .render()
                .replace("#!/bin/bash\n", "#!/bin/bash\nsrun() { printf '%s\\0' \"$@\"; }\n"));

    List<String> received = nulSeparated(runBash(file));

    assertThat(received.getFirst()).isEqualTo("--hpcs-secure=/d/j.job.json");
    assertThat(received.subList(1, received.size())).isEqualTo(HARD_ARGUMENTS);
  }

  @Test
  void render_hardArgumentsOneNode_bashExecsThemUnchanged() throws Exception {
    List<String> command = new java.util.ArrayList<>(HARD_ARGUMENTS);
    command.set(0, "printf");
    command.add(1, "%s\\0");
    BatchScript script =
        new BatchScript("/d/j.job.json", "/d", new SlurmOptions("demo", 1, null, null, command));
    Path file = Files.writeString(dir.resolve("job.sh"), script.render());

    List<String> received = nulSeparated(runBash(file));

    assertThat(received).isEqualTo(HARD_ARGUMENTS.subList(1, HARD_ARGUMENTS.size()));
  }

  private static List<String> nulSeparated(byte[] output) {
    List<String> parts = Arrays.asList(new String(output, StandardCharsets.UTF_8).split("\0", -1));
    return parts.subList(0, parts.size() - 1);
  }

  @Test
  void render_hardArguments_headerStaysSbatchLinesOnly() {
    BatchScript script = new BatchScript("/d/j.job.json", "/d", options(HARD_ARGUMENTS));

    List<String> header = script.render().lines().takeWhile(line -> line.startsWith("#")).toList();

    assertThat(header).filteredOn(line -> line.startsWith("#SBATCH")).hasSize(5);
    assertThat(header).noneMatch(line -> line.contains("injected"));
  }

  @Test
  void quote_plainWord_unchanged() {
    assertThat(ShellQuoting.quote("/opt/run.py")).isEqualTo("/opt/run.py");
    assertThat(ShellQuoting.quote("--input=a,b")).isEqualTo("--input=a,b");
  }

  @Test
  void quote_singleQuote_closedEscapedReopened() {
    assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ShellQuoting.quote("")).isEqualTo("''");
  }

  @Test
  void slurmOptions_badValues_everyProblemNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SlurmOptions("bad name", 0, "a/b", "10 min", List.of("-x")));

    assertThat(e.getMessage())
        .contains("--name 'bad name'")
        .contains("--nodes 0")
        .contains("--partition 'a/b'")
        .contains("--time '10 min'")
        .contains("command '-x'");
  }

  @Test
  void slurmOptions_noCommand_rejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SlurmOptions("demo", null, null, null, List.of()));

    assertThat(e.getMessage()).contains("no command given");
  }

  @Test
  void slurmOptions_nulInArgument_rejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SlurmOptions("demo", null, null, null, List.of("echo", "a\0b")));

    assertThat(e.getMessage()).contains("NUL");
  }

  @Test
  void slurmOptions_acceptedTimeForms_allValid() {
    for (String time :
        List.of("30", "30:00", "1:00:00", "2-0", "2-12:30", "2-12:30:00", "UNLIMITED")) {
      assertThat(new SlurmOptions("demo", 1, null, time, List.of("true")).timeLimit())
          .isEqualTo(time);
    }
  }

  @Test
  void batchScript_remoteDirWithSpace_rejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchScript("/my dir/j.job.json", "/my dir", options(List.of("true"))));

    assertThat(e.getMessage()).contains("'/my dir/j.job.json'").contains("ssh.remote-dir");
  }

  private static byte[] runBash(Path file) throws Exception {
    Process process = new ProcessBuilder("bash", file.toString()).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = process.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    return out.toByteArray();
  }
}
