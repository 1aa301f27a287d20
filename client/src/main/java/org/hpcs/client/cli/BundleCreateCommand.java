package org.hpcs.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyPair;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.config.ConfigLoader;
import org.hpcs.client.keys.OwnerKeys;
import org.hpcs.client.server.ServerApi;
import org.hpcs.client.vault.TokenCache;
import org.hpcs.client.vault.VaultSession;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.BundlePayloads;
import org.hpcs.common.bundle.EncryptedPayload;
import org.hpcs.common.bundle.KeyLocation;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.bundle.SifImages;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AgeRecipient;
import org.hpcs.common.crypto.AtomicFileOutput;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hpcs bundle create}: encrypts an image or dataset, deposits its key, signs a manifest. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt a SIF image or a dataset with a fresh age key, store the key in Vault at"
          + " <vault.kv.mount>/data/owners/<you>/bundles/<bundleId> (field identity), and write"
          + " <name>.age and the signed <name>.manifest.json.",
      "Then register the bundle with the HPCS server at server.url (see 'hpcs bundle"
          + " register'). Needs 'hpcs login' and 'hpcs keygen' first. When encryption or the key"
          + " deposit fails, no bundle file is left behind; when only the registration fails, the"
          + " files stay and 'hpcs bundle register' retries it."
    })
final class BundleCreateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--image",
        paramLabel = "FILE.sif",
        required = true,
        description = "Container image in Singularity Image Format (checked by its SIF magic).")
    Path image;

    @Option(
        names = "--data",
        paramLabel = "PATH",
        required = true,
        description = "Dataset: a directory (stored as a tar stream of its contents) or one file.")
    Path data;
  }

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "Bundle name, used for <NAME>.age (default: the input's file name without extension).")
  String name;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Directory for the bundle files (default: the current directory).")
  Path outDir;

  @Option(
      names = "--output-recipient",
      paramLabel = "RECIPIENT",
      description =
          "age recipient for the job's outputs (default: recipients.output, else the keygen output"
              + " identity).")
  String outputRecipient;

  @Option(
      names = "--no-register",
      description =
          "Do not register the bundle with the HPCS server; run 'hpcs bundle register' later.")
  boolean noRegister;

  @Override
  public Integer call() throws Exception {
    ClientConfig config = common.loadConfig();
    ConfigLoader.require(config, "hpcs bundle create", "vault.url", config.vaultUrl());
    // Open the server first, so that a missing setting fails before any work is done.
    ServerApi server = noRegister ? null : ServerApi.open(config, "hpcs bundle create");
    BundleKind kind = source.image != null ? BundleKind.CONTAINER : BundleKind.DATA;
    Path input = kind == BundleKind.CONTAINER ? source.image : source.data;
    checkInput(kind, input);
    String bundleName = BundleNames.check(name != null ? name : BundleNames.stem(input));
    OwnerKeys keys = new OwnerKeys(config.keysDir());
    KeyPair signing = keys.loadSigning();
    AgeRecipient recipient = outputRecipient(config, keys);
    VaultSession vault =
        VaultSession.open(
            config.vaultUrl().orElseThrow(), TokenCache.read(config.tokenFile()), config.kvMount());
    String owner = vault.username();

    String bundleId = UUID.randomUUID().toString();
    AgeIdentity bundleKey = AgeIdentity.generate();
    Path agePath = outDir.resolve(bundleName + ".age");
    Path manifestPath = outDir.resolve(bundleName + ".manifest.json");
    try (AtomicFileOutput age = AtomicFileOutput.create(agePath, false);
        AtomicFileOutput manifestOut = AtomicFileOutput.create(manifestPath, false)) {
      // Encrypt first, so that a bad input never leaves a key in Vault.
      EncryptedPayload payload = encrypt(kind, input, age, bundleKey.recipient());
      KeyLocation key = KeyLocation.forBundle(config.kvMount(), owner, bundleId);
      vault.writeField(key.kvMount(), key.kvPath(), key.field(), bundleKey.secretText());

      BundleManifest manifest =
          ManifestSigner.sign(
              BundleManifest.unsigned(
                  bundleId,
                  kind,
                  owner,
                  bundleName,
                  Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                  payload.ciphertext(),
                  payload.plaintext(),
                  config.kvMount(),
                  recipient.value()),
              signing);
      manifestOut.channel().write(java.nio.ByteBuffer.wrap(ManifestCodec.toJson(manifest)));
      age.commit();
      manifestOut.commit();
      report(manifest, agePath, manifestPath, key);
    }
    if (server != null) {
      register(server, manifestPath);
    }
    return 0;
  }

  private void register(ServerApi server, Path manifestPath) throws HpcsException {
    BundleInfo info;
    try {
      info = BundleRegisterCommand.register(server, manifestPath);
    } catch (Exception e) {
      List<String> hints = new ArrayList<>();
      if (e instanceof HpcsException h) {
        hints.addAll(h.hints());
      }
      hints.add("the bundle files are complete; retry with: hpcs bundle register " + manifestPath);
      throw new HpcsException(
          "bundle created but not registered: " + e.getMessage(), e, hints.toArray(String[]::new));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "  registered with " + server.url() + " (manifest sha256 " + info.manifestSha256() + ")");
    out.flush();
  }

  /** Rejects a missing input, or an image that is not a SIF file, before keys or Vault are used. */
  private static void checkInput(BundleKind kind, Path input) throws Exception {
    if (!Files.exists(input)) {
      throw new HpcsException(
          "input %s not found".formatted(input), "check the path given to --image or --data");
    }
    if (kind == BundleKind.CONTAINER) {
      SifImages.check(input);
    }
  }

  private EncryptedPayload encrypt(
      BundleKind kind, Path input, AtomicFileOutput age, AgeRecipient recipient) throws Exception {
    try (Progress progress = Progress.start("encrypt", totalSize(input))) {
      return kind == BundleKind.CONTAINER
          ? BundlePayloads.encryptImage(input, age.channel(), recipient, progress.listener())
          : BundlePayloads.encryptData(input, age.channel(), recipient, progress.listener());
    }
  }

  private AgeRecipient outputRecipient(ClientConfig config, OwnerKeys keys) throws Exception {
    if (outputRecipient != null) {
      return AgeRecipient.parse(outputRecipient);
    }
    if (!config.outputRecipients().isEmpty()) {
      return AgeRecipient.parse(config.outputRecipients().get(0));
    }
    return keys.loadOutputIdentity().recipient();
  }

  private void report(BundleManifest manifest, Path agePath, Path manifestPath, KeyLocation key) {
    PrintWriter out = spec.commandLine().getOut();
    out.println("bundle " + manifest.bundleId() + " (" + manifest.kind().wireName() + ")");
    out.println("  ciphertext " + agePath + " (" + manifest.ciphertext().size() + " bytes)");
    out.println("  manifest   " + manifestPath);
    out.println(
        "  key        " + key.kvMount() + "/data/" + key.kvPath() + " (field " + key.field() + ")");
    out.flush();
  }

  private static long totalSize(Path input) throws IOException {
    if (Files.isRegularFile(input)) {
      return Files.size(input);
    }
    AtomicLong total = new AtomicLong();
    Files.walkFileTree(
        input,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            total.addAndGet(attrs.size());
            return FileVisitResult.CONTINUE;
          }
        });
    return total.get();
  }
}
