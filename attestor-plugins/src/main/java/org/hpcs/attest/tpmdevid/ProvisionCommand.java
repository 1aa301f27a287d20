package org.hpcs.attest.tpmdevid;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.hpcs.attest.internal.PublicKeyFiles;
import org.hpcs.attest.tpmdevid.tss.TpmContext;
import org.hpcs.attest.tpmdevid.tss.TpmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Provisions a node for tpm-devid: creates an ECC P-256 DevID key inside the TPM under the storage
 * root key, persists it, and writes its public key as PEM for the site CA to certify. Also prints
 * the EK hash for the server's allow-list.
 */
@Command(
    name = "hpcs-tpm-devid-provision",
    mixinStandardHelpOptions = true,
    description = {
      "Create the DevID key in this node's TPM and write its public key for the site CA.",
      "Exit codes: 0 success, 1 failure, 2 usage error."
    })
public final class ProvisionCommand implements Callable<Integer> {
  @Option(
      names = "--tcti",
      defaultValue = TpmDevIdNodeConfig.DEFAULT_TCTI,
      description =
          "TCTI of the TPM, e.g. device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321"
              + " (default: ${DEFAULT-VALUE})")
  private String tcti;

  @Option(
      names = "--handle",
      defaultValue = "0x81010002",
      description = "Persistent handle for the DevID key (default: ${DEFAULT-VALUE})")
  private String handle;

  @Option(
      names = "--public-key-out",
      required = true,
      description = "File to write the DevID public key to (PEM SubjectPublicKeyInfo)")
  private Path publicKeyOut;

  @Option(
      names = "--ek-handle",
      defaultValue = "0x81010001",
      description =
          "Persistent handle of the EK; recreated from the default RSA template when"
              + " empty (default: ${DEFAULT-VALUE})")
  private String ekHandle;

  @Option(
      names = "--force",
      description = "Replace an existing key at the handle (the old key is destroyed)")
  private boolean force;

  private final PrintWriter out;

  /** Creates the command printing to standard output. */
  public ProvisionCommand() {
    this(new PrintWriter(System.out, true, StandardCharsets.UTF_8));
  }

  ProvisionCommand(PrintWriter out) {
    this.out = out;
  }

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code. */
  public static int run(String... args) {
    CommandLine line = new CommandLine(new ProvisionCommand());
    line.setExecutionExceptionHandler(
        (exception, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println("hpcs-tpm-devid-provision: error: " + exception.getMessage());
          return 1;
        });
    return line.execute(args);
  }

  @Override
  public Integer call() throws TpmException, IOException {
    int devIdHandle = parseHandle("--handle", handle);
    int ek = parseHandle("--ek-handle", ekHandle);
    try (TpmContext tpm = TpmContext.open(tcti)) {
      if (tpm.persistentExists(devIdHandle)) {
        if (!force) {
          throw new IllegalStateException(
              "handle 0x"
                  + Integer.toHexString(devIdHandle)
                  + " already holds a key; pass --force to replace it or choose another --handle");
        }
        tpm.evictPersistent(devIdHandle);
      }
      byte[] publicArea =
          tpm.createPersistentKey(
              TpmTemplates.storageRootKeyEcc(), TpmTemplates.devIdEcc(), devIdHandle);
      TpmPublicArea devId = TpmPublicArea.parse(publicArea);
      writePublicKey(devId.publicKey().getEncoded());
      TpmPublicArea ekPublic =
          TpmPublicArea.parse(tpm.readEndorsementPublic(ek, TpmTemplates.endorsementKeyRsa2048()));
      out.println("devid-handle: 0x" + Integer.toHexString(devIdHandle));
      out.println("devid-name: " + HexFormat.of().formatHex(devId.name()));
      out.println("devid-public-key: " + publicKeyOut);
      out.println("ek-sha256: " + DevIdClaim.sha256Hex(ekPublic.publicKey().getEncoded()));
    }
    return 0;
  }

  private void writePublicKey(byte[] subjectPublicKeyInfo) throws IOException {
    Path temporary = publicKeyOut.resolveSibling(publicKeyOut.getFileName() + ".tmp");
    Files.writeString(temporary, PublicKeyFiles.toPem(subjectPublicKeyInfo));
    Files.move(
        temporary,
        publicKeyOut,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static int parseHandle(String option, String value) {
    try {
      long parsed = Long.decode(value);
      if (parsed >= 0x81000000L && parsed <= 0x81FFFFFFL) {
        return (int) parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + " is '" + value + "', expected a persistent handle from 0x81000000 to 0x81ffffff");
  }
}
