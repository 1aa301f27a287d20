package org.hpcs.client.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.hpcs.client.server.ServerApi;
import org.hpcs.common.api.Grant;
import org.hpcs.common.api.GrantRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs grant}: lets a cluster user run jobs on one of the caller's bundles. */
@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    description = {
      "Grant a cluster user the use of one of your bundles: the HPCS server then releases the"
          + " bundle's key to that user's secured jobs on attested nodes, within the partitions"
          + " and nodes given, until the grant expires or you revoke it.",
      "Prints the grant id on standard output; 'hpcs revoke GRANT_ID' ends the grant."
    })
final class GrantCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "BUNDLE_ID",
      description =
          "The bundle id that 'hpcs bundle create' printed, or the path of the bundle's"
              + " .manifest.json.")
  String bundle;

  @Parameters(
      index = "1",
      paramLabel = "USER",
      description = "The cluster user (also their Vault user name) who may use the bundle.")
  String user;

  @Option(
      names = "--partition",
      paramLabel = "P",
      description = "Allow only jobs in Slurm partition P. Repeatable. Default: any partition.")
  List<String> partitions = List.of();

  @Option(
      names = "--node",
      paramLabel = "N",
      description =
          "Allow only jobs whose nodes are all among the nodes given. Repeatable. Default: any"
              + " node.")
  List<String> nodes = List.of();

  @Option(
      names = "--expires",
      paramLabel = "WHEN",
      description =
          "End of the grant: an ISO-8601 time with zone (2025-02-01T00:00:00Z) or a duration from"
              + " now (30m, 12h, 7d, 2w, P7DT12H). Default: until revoked.")
  String expires;

  @Override
  public Integer call() throws Exception {
    GrantRequest request = request(Instant.now());
    ServerApi server = ServerApi.open(common.loadConfig(), "hpcs grant");

    Grant grant = server.grant(request);
    spec.commandLine().getOut().println(grant.grantId());
    spec.commandLine().getOut().flush();
    spec.commandLine()
        .getErr()
        .printf(
            "hpcs: granted bundle %s to %s (partitions: %s, nodes: %s, expires: %s)%n",
            grant.bundleId(),
            grant.user(),
            orAny(grant.partitions()),
            orAny(grant.nodes()),
            grant.expiresAt() == null ? "never" : TextTable.time(grant.expiresAt()));
    return 0;
  }

  /** Checks the arguments and returns the request body. */
  GrantRequest request(Instant now) throws Exception {
    String bundleId;
    Instant expiresAt;
    try {
      bundleId = BundleIds.resolve(bundle);
      expiresAt = expires == null ? null : ExpiryParser.parse(expires, now);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    check("USER", user);
    partitions.forEach(p -> check("--partition", p));
    nodes.forEach(n -> check("--node", n));
    return new GrantRequest(
        bundleId,
        user,
        partitions.isEmpty() ? null : partitions,
        nodes.isEmpty() ? null : nodes,
        expiresAt);
  }

  private void check(String what, String value) {
    if (!NAME.matcher(value).matches()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "invalid %s '%s': use letters, digits, '.', '_' and '-' (at most 64)"
              .formatted(what, value));
    }
  }

  private static String orAny(List<String> values) {
    return values == null || values.isEmpty() ? "any" : String.join(",", values);
  }
}
