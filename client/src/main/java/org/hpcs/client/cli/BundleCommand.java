package org.hpcs.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the bundle subcommands. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = "Create, register and ship encrypted bundles (a container image or a dataset).",
    subcommands = {BundleCreateCommand.class, BundleRegisterCommand.class, BundleShipCommand.class})
final class BundleCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: create, register or ship");
  }
}
