package org.hpcs.client.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.job.Scontrol;
import org.hpcs.client.job.SlurmJobRecord;
import org.hpcs.client.server.ServerApi;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.common.api.AuditEntry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs job status}: the job's Slurm state and the HPCS server's audit records of it. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show a job's state from slurmctld ('scontrol show job -o' over SSH, so no Slurm"
          + " accounting is needed) and, when server.url is set, the HPCS server's audit records"
          + " of the job: key releases and denials.",
      "slurmctld drops a job's record MinJobAge seconds after the job ends (300 by default). The"
          + " server shows"
          + " users only the records of bundles they own."
    })
final class JobStatusCommand implements Callable<Integer> {
  private static final List<String> FIELDS =
      List.of(
          "JobName",
          "UserId",
          "JobState",
          "Reason",
          "ExitCode",
          "Partition",
          "NodeList",
          "SubmitTime",
          "StartTime",
          "EndTime",
          "TimeLimit",
          "WorkDir",
          "StdOut");

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "JOB_ID", description = "The Slurm job id.")
  String jobId;

  @Override
  public Integer call() throws Exception {
    try {
      JobIds.check(jobId);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ClientConfig config = common.loadConfig();
    PrintWriter out = spec.commandLine().getOut();

    Optional<SlurmJobRecord> job;
    try (ClusterConnection cluster = ClusterConnection.open(config, "hpcs job status")) {
      job = Scontrol.showJob(cluster, jobId);
    }
    printSlurm(job, out);
    if (config.serverUrl().isEmpty()) {
      out.println("audit: not shown, because server.url is not set");
    } else {
      List<AuditEntry> entries = ServerApi.open(config, "hpcs job status").audit(null, jobId);
      printAudit(entries, out);
    }
    out.flush();
    return 0;
  }

  private void printSlurm(Optional<SlurmJobRecord> job, PrintWriter out) {
    out.println("job " + jobId);
    if (job.isEmpty()) {
      out.println(
          "  slurm: unknown to slurmctld (it drops the record of a finished job after MinJobAge, 300 s by"
              + " default)");
      return;
    }
    TextTable table = new TextTable("FIELD", "VALUE");
    for (String field : FIELDS) {
      table.add(field, job.get().get(field).orElse(null));
    }
    table.print(out);
  }

  private void printAudit(List<AuditEntry> entries, PrintWriter out) {
    out.println();
    if (entries.isEmpty()) {
      out.println(
          "audit: no records of job "
              + jobId
              + " visible to you (users see the records of bundles they own)");
      return;
    }
    out.println("audit:");
    AuditCommand.print(entries, out);
  }
}
