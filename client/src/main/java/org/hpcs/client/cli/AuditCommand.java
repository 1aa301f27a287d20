package org.hpcs.client.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.client.server.ServerApi;
import org.hpcs.common.api.AuditEntry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hpcs audit}: prints the HPCS server's audit trail of the caller's bundles. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Print the HPCS server's audit trail, oldest first: every registration, grant, revocation,"
          + " key release and denial that concerns your bundles (admins see every record). At"
          + " most the newest 1000 records.",
      "OUTCOME is allowed or denied; REASON is the denial code."
    })
final class AuditCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--bundle",
      paramLabel = "B",
      description = "Only records of bundle B: its id or the path of its .manifest.json.")
  String bundle;

  @Option(names = "--job", paramLabel = "J", description = "Only records of Slurm job J.")
  String job;

  @Override
  public Integer call() throws Exception {
    String bundleId;
    try {
      bundleId = bundle == null ? null : BundleIds.resolve(bundle);
      JobIds.check(job);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ServerApi server = ServerApi.open(common.loadConfig(), "hpcs audit");

    print(server.audit(bundleId, job), spec.commandLine().getOut());
    return 0;
  }

  /** Prints the records as a table. */
  static void print(List<AuditEntry> entries, java.io.PrintWriter out) {
    TextTable table = new TextTable("TIME", "ACTOR", "ACTION", "OUTCOME", "REASON", "DETAIL");
    for (AuditEntry entry : entries) {
      table.add(
          TextTable.time(entry.at()),
          entry.actor(),
          entry.action(),
          entry.outcome(),
          entry.reason(),
          entry.detail());
    }
    table.print(out);
  }
}
