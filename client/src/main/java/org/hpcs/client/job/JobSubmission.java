package org.hpcs.client.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hpcs.client.HpcsException;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.client.ssh.RemoteResult;
import org.hpcs.common.crypto.Sha256;

/**
 * Writes the job manifest and the batch script locally, uploads both and runs {@code sbatch
 * --parsable} in the remote directory. When a step fails, the files it wrote are removed again, so
 * no job manifest or script is left without a job.
 *
 * @param cluster the SSH session
 * @param remoteDir the remote directory as configured, for SFTP
 * @param absoluteDir the same directory as an absolute path, for the shell
 * @param localManifest where to write the local copy of the job manifest
 * @param localScript where to write the local copy of the batch script
 */
public record JobSubmission(
    ClusterConnection cluster,
    String remoteDir,
    String absoluteDir,
    Path localManifest,
    Path localScript) {
  private static final Pattern PARSABLE = Pattern.compile("([0-9]+)(;\\S+)?");

  /**
   * Submits the job and returns its id.
   *
   * @throws HpcsException if an upload or sbatch fails; sbatch's message is included
   */
  public String submit(byte[] jobManifest, byte[] script, Duration timeout)
      throws HpcsException, IOException {
    List<Path> written = new ArrayList<>();
    boolean submitted = false;
    try {
      writeNew(localManifest, jobManifest);
      written.add(localManifest);
      writeNew(localScript, script);
      written.add(localScript);
      upload(localManifest, jobManifest);
      upload(localScript, script);
      String jobId = sbatch(timeout);
      submitted = true;
      return jobId;
    } finally {
      if (!submitted) {
        removeQuietly(written);
      }
    }
  }

  private String sbatch(Duration timeout) throws HpcsException, IOException {
    String command =
        "cd "
            + ShellQuoting.quote(absoluteDir)
            + " && sbatch --parsable "
            + ShellQuoting.quote(localScript.getFileName().toString());
    RemoteResult result = cluster.run(command, timeout);
    Matcher matcher = PARSABLE.matcher(result.stdout().strip());
    if (!result.succeeded() || !matcher.matches()) {
      String hint =
          result.stderr().contains("hpcs-secure")
              ? "a submit host without the HPCS SPANK plugin rejects --hpcs-secure; ask the site"
                  + " admins to install spank_hpcs.so"
              : "check --nodes, --partition and --time against the cluster's limits (sinfo)";
      throw new HpcsException(
          "sbatch on %s rejected the job (exit status %d): %s"
              .formatted(cluster.target(), result.exitStatus(), describe(result)),
          hint);
    }
    return matcher.group(1);
  }

  private void upload(Path local, byte[] content) throws HpcsException, IOException {
    cluster.upload(local, remote(local), Sha256.of(content).hex(), position -> {});
  }

  private String remote(Path local) {
    return remoteDir + "/" + local.getFileName();
  }

  /** Removes the local files this submission wrote and their uploaded copies. */
  private void removeQuietly(List<Path> written) {
    for (Path local : written) {
      try {
        Files.deleteIfExists(local);
        cluster.remove(remote(local));
      } catch (IOException e) {
        // Not uploaded yet, or the session broke: the remote copy cannot be removed now.
      }
    }
  }

  private static void writeNew(Path file, byte[] content) throws IOException {
    Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  private static String describe(RemoteResult result) {
    String text = (result.stderr().strip() + " " + result.stdout().strip()).strip();
    return text.isEmpty() ? "no output" : text;
  }
}
