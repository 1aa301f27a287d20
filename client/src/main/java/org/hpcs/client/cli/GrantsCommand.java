package org.hpcs.client.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.hpcs.client.server.ServerApi;
import org.hpcs.common.api.Grant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hpcs grants}: lists the grants the caller gave or received. */
@Command(
    name = "grants",
    mixinStandardHelpOptions = true,
    description = {
      "List grants, newest first: by default those of your bundles, with --received those that"
          + " bundle owners gave you.",
      "STATE is live, expired or revoked."
    })
final class GrantsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--bundle",
      paramLabel = "B",
      description = "Only grants of bundle B: its id or the path of its .manifest.json.")
  String bundle;

  @Option(
      names = "--received",
      description = "List the grants you received instead of those you gave.")
  boolean received;

  @Override
  public Integer call() throws Exception {
    String bundleId;
    try {
      bundleId = bundle == null ? null : BundleIds.resolve(bundle);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ServerApi server = ServerApi.open(common.loadConfig(), "hpcs grants");

    List<Grant> grants = server.grants(bundleId, received);
    TextTable table =
        new TextTable(
            "GRANT",
            "BUNDLE",
            received ? "OWNER" : "USER",
            "PARTITIONS",
            "NODES",
            "EXPIRES",
            "STATE");
    Instant now = Instant.now();
    for (Grant grant : grants) {
      table.add(
          grant.grantId(),
          grant.bundleId(),
          received ? grant.owner() : grant.user(),
          joinOrAny(grant.partitions()),
          joinOrAny(grant.nodes()),
          grant.expiresAt() == null ? "never" : TextTable.time(grant.expiresAt()),
          state(grant, now));
    }
    table.print(spec.commandLine().getOut());
    return 0;
  }

  static String state(Grant grant, Instant now) {
    if (grant.revokedAt() != null) {
      return "revoked";
    }
    return grant.expiresAt() != null && !grant.expiresAt().isAfter(now) ? "expired" : "live";
  }

  private static String joinOrAny(List<String> values) {
    return values == null || values.isEmpty() ? "any" : String.join(",", values);
  }
}
