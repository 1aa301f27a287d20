package org.hpcs.agent.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands as other users for integration tests, which run as root. */
public final class TestUsers {
  /** Login name of the test user that owns the job's mounts. */
  public static final String JOB_USER = "hpcs-rt-test";

  /** A uid and gid that no account uses: "some other user" on the node. */
  public static final int OTHER_UID = 64999;

  private TestUsers() {}

  /** Creates the job test user unless it exists, and returns its uid and gid. */
  public static int[] ensureJobUser() throws IOException, InterruptedException {
    if (run(List.of("id", "-u", JOB_USER), Map.of()).exitCode() != 0) {
      Result added =
          run(
              List.of(
                  "useradd",
                  "--system",
                  "--no-create-home",
                  "--shell",
                  "/usr/sbin/nologin",
                  JOB_USER),
              Map.of());
      if (added.exitCode() != 0) {
        throw new IOException("useradd " + JOB_USER + " failed: " + added.output());
      }
    }
    int uid = Integer.parseInt(run(List.of("id", "-u", JOB_USER), Map.of()).output().strip());
    int gid = Integer.parseInt(run(List.of("id", "-g", JOB_USER), Map.of()).output().strip());
    return new int[] {uid, gid};
  }

  /** Runs {@code argv} as uid/gid {@code id} with no supplementary groups. */
  public static Result runAsId(int uid, int gid, List<String> argv)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid));
    full.add("--clear-groups");
    full.addAll(argv);
    return run(full, Map.of());
  }

  /** Runs {@code argv} and waits up to two minutes; {@code extraEnv} is added to the inherited. */
  public static Result run(List<String> argv, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(extraEnv);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException(argv + " did not finish in two minutes");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  /**
   * Exit status and merged output of a command.
   *
   * @param exitCode exit status
   * @param output standard output and standard error
   */
  public record Result(int exitCode, String output) {}
}
