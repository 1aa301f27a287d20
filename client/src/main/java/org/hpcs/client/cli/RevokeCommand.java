package org.hpcs.client.cli;

import java.util.concurrent.Callable;
import org.hpcs.client.server.ServerApi;
import org.hpcs.common.api.Grant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs revoke}: ends a grant of one of the caller's bundles. */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Revoke a grant: from now on the HPCS server releases the bundle's key to no new job of"
          + " the grantee. A job that already read the key keeps running.",
      "Revoking a grant twice is harmless."
    })
final class RevokeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "GRANT_ID",
      description = "The grant id that 'hpcs grant' printed (see 'hpcs grants').")
  String grantId;

  @Override
  public Integer call() throws Exception {
    if (!grantId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "invalid GRANT_ID '%s': use the id that hpcs grant printed, such as g-0f3c..."
              .formatted(grantId));
    }
    ServerApi server = ServerApi.open(common.loadConfig(), "hpcs revoke");

    Grant grant = server.revoke(grantId);
    spec.commandLine()
        .getOut()
        .printf(
            "revoked grant %s of bundle %s for %s at %s%n",
            grant.grantId(), grant.bundleId(), grant.user(), TextTable.time(grant.revokedAt()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
