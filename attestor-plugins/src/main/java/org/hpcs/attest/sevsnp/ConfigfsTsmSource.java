package org.hpcs.attest.sevsnp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.hpcs.attest.AttestationException;

/**
 * Requests reports through the kernel's configfs-tsm interface (Linux 6.7 and later): create a
 * directory under {@code /sys/kernel/config/tsm/report}, write the report data to {@code inblob},
 * read {@code outblob} and {@code auxblob}, and remove the directory. The {@code generation}
 * counter detects another writer changing the request in between.
 */
final class ConfigfsTsmSource implements ReportSource {
  private static final String SEV_PROVIDER = "sev_guest";

  private final Path reportDir;

  ConfigfsTsmSource(Path reportDir) {
    this.reportDir = reportDir;
  }

  @Override
  public Result fetch(byte[] reportData, int vmpl) throws AttestationException {
    Path entry = reportDir.resolve("hpcs-" + UUID.randomUUID());
    try {
      Files.createDirectory(entry);
    } catch (IOException e) {
      throw failure("cannot create " + entry + ": " + e.getMessage(), e);
    }
    try {
      return request(entry, reportData, vmpl);
    } catch (IOException e) {
      throw failure("request through " + entry + " failed: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(entry);
      } catch (IOException e) {
        // The kernel drops the entry's state when the agent exits; nothing secret is in it.
      }
    }
  }

  private Result request(Path entry, byte[] reportData, int vmpl)
      throws IOException, AttestationException {
    String provider =
        Files.readString(entry.resolve("provider"), StandardCharsets.US_ASCII).strip();
    if (!provider.equals(SEV_PROVIDER)) {
      throw new AttestationException(
          SevSnpReasons.UNAVAILABLE,
          "configfs-tsm provider at "
              + reportDir
              + " is '"
              + provider
              + "', not "
              + SEV_PROVIDER
              + "; this node is not an SEV-SNP guest, so configure another attestor");
    }
    if (vmpl != 0) {
      Files.writeString(entry.resolve("privlevel"), Integer.toString(vmpl));
    }
    Files.write(entry.resolve("inblob"), reportData);
    String before = Files.readString(entry.resolve("generation")).strip();
    byte[] report = Files.readAllBytes(entry.resolve("outblob"));
    Optional<byte[]> table = readOptional(entry.resolve("auxblob"));
    String after = Files.readString(entry.resolve("generation")).strip();
    if (!before.equals(after)) {
      throw failure(
          "another process changed the request in " + entry + " while reading it; retry", null);
    }
    return new Result(report, table);
  }

  private static Optional<byte[]> readOptional(Path file) throws IOException {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return bytes.length == 0 ? Optional.empty() : Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static AttestationException failure(String message, Throwable cause) {
    return new AttestationException(
        SevSnpReasons.REPORT_REQUEST_FAILED, "SEV-SNP report " + message, cause);
  }
}
