package org.hpcs.client.cli;

import org.hpcs.common.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hpcs} command: the data owner's client for HPCS for Slurm. */
@Command(
    name = "hpcs",
    mixinStandardHelpOptions = true,
    versionProvider = HpcsCommand.VersionProvider.class,
    description =
        "Encrypt, register and ship container images and datasets, grant their use, and run"
            + " secured Slurm jobs on them.",
    subcommands = {
      LoginCommand.class,
      KeygenCommand.class,
      BundleCommand.class,
      GrantCommand.class,
      RevokeCommand.class,
      GrantsCommand.class,
      AuditCommand.class,
      JobCommand.class,
      EncryptCommand.class,
      DecryptCommand.class
    },
    footer = {
      "",
      "Exit status: 0 success, 1 failure (an 'hpcs: error:' line explains why), 2 usage error."
    })
public final class HpcsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /** Reports the product version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"hpcs " + Version.CURRENT};
    }
  }

  /** Builds the command line with the hpcs error handling. */
  public static CommandLine commandLine() {
    ErrorReporter reporter = new ErrorReporter();
    return new CommandLine(new HpcsCommand())
        .setExecutionExceptionHandler(reporter)
        .setParameterExceptionHandler(reporter);
  }
}
