package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

class HelpTextTest {
  @Test
  void everyCommand_everyOptionAndParameterDescribed() {
    List<String> undescribed = new ArrayList<>();
    collect(HpcsCommand.commandLine(), undescribed);

    assertThat(undescribed).isEmpty();
  }

  @Test
  void help_newCommands_exit0AndListOptions() {
    assertThat(CliRunner.run("grant", "--help").out())
        .contains("--partition=P")
        .contains("--node=N")
        .contains("--expires=WHEN")
        .contains("BUNDLE_ID")
        .contains("USER");
    assertThat(CliRunner.run("job", "submit", "--help").out())
        .contains("--image=BUNDLE_MANIFEST")
        .contains("--data=BUNDLE_MANIFEST")
        .contains("--nodes=N")
        .contains("--partition=P")
        .contains("--time=LIMIT")
        .contains("--name=NAME")
        .contains("COMMAND...");
    assertThat(CliRunner.run("job", "output", "--help").exitCode()).isZero();
  }

  private static void collect(CommandLine command, List<String> undescribed) {
    List<ArgSpec> args = new ArrayList<>(command.getCommandSpec().options());
    args.addAll(command.getCommandSpec().positionalParameters());
    for (ArgSpec arg : args) {
      if (String.join("", arg.description()).isBlank()) {
        undescribed.add(command.getCommandSpec().qualifiedName() + " " + arg.paramLabel());
      }
    }
    for (CommandLine sub : command.getSubcommands().values()) {
      collect(sub, undescribed);
    }
  }
}
