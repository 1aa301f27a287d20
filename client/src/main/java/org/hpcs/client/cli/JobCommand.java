package org.hpcs.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the job subcommands. */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = "Submit secured Slurm jobs, follow them and fetch their encrypted output.",
    subcommands = {JobSubmitCommand.class, JobStatusCommand.class, JobOutputCommand.class})
final class JobCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: submit, status or output");
  }
}
