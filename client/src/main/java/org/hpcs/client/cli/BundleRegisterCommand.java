package org.hpcs.client.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.server.ServerApi;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.bundle.ManifestCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs bundle register}: registers a bundle's signed manifest with the HPCS server. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Register a bundle with the HPCS server at server.url: send its signed manifest, unchanged,"
          + " as the logged-in Vault user. 'hpcs bundle create' does this itself; run it when"
          + " that step failed or was skipped with --no-register.",
      "The server checks that you are the manifest's owner and that the signature verifies with"
          + " your signing key (the server keeps the key of your first bundle). Registering the"
          + " same manifest again is harmless."
    })
final class BundleRegisterCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MANIFEST",
      description = "The bundle: <name>.manifest.json, <name>.age or the <name> path stem.")
  Path bundle;

  @Override
  public Integer call() throws Exception {
    ClientConfig config = common.loadConfig();
    Path manifestPath = BundleNames.manifestFor(bundle);
    ServerApi server = ServerApi.open(config, "hpcs bundle register");

    BundleInfo info = register(server, manifestPath);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "registered bundle %s with %s (manifest sha256 %s)%n",
        info.bundleId(), server.url(), info.manifestSha256());
    out.flush();
    return 0;
  }

  /** Checks the manifest file locally, then registers its exact bytes. */
  static BundleInfo register(ServerApi server, Path manifestPath) throws Exception {
    if (!Files.exists(manifestPath)) {
      throw new HpcsException(
          "manifest %s not found".formatted(manifestPath),
          "pass the .manifest.json file that hpcs bundle create wrote");
    }
    ManifestCodec.read(manifestPath);
    return server.registerBundle(Files.readAllBytes(manifestPath));
  }
}
