package org.hpcs.agent.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A reply on the agent socket: {@code ok}, {@code error} with a message, or {@code progress} while
 * the agent is still working (the plugin restarts its read timeout on each).
 *
 * @param status the reply status
 * @param message text for the user, never a secret; control characters become spaces
 * @param launch for an {@code ok} reply to {@code step_start}: the absolute path of the step's
 *     launch file, which the plugin turns into the container command line; empty otherwise
 */
public record Reply(Status status, String message, String launch) {
  /** Maximum message length in code points; the plugin shows at most 1023 bytes of it. */
  public static final int MAX_MESSAGE = 900;

  /** Longest launch path; the plugin keeps paths of up to 4095 bytes. */
  public static final int MAX_LAUNCH = 1024;

  /** Reply status values as they travel on the wire. */
  public enum Status {
    OK("ok"),
    ERROR("error"),
    PROGRESS("progress");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }
  }

  /** Rejects a launch path on anything but an ok reply, and invalid paths. */
  public Reply {
    Objects.requireNonNull(status, "status must not be null");
    Objects.requireNonNull(message, "message must not be null");
    Objects.requireNonNull(launch, "launch must not be null");
    if (!launch.isEmpty()) {
      if (status != Status.OK) {
        throw new IllegalArgumentException("only an ok reply carries a launch path");
      }
      if (!launch.startsWith("/")
          || launch.length() > MAX_LAUNCH
          || WireCodec.hasControlCharacter(launch)) {
        throw new IllegalArgumentException("launch path '" + launch + "' is not usable");
      }
    }
  }

  /** Returns a success reply. */
  public static Reply ok() {
    return new Reply(Status.OK, "", "");
  }

  /** Returns a success reply that tells the plugin where the step's launch file is. */
  public static Reply launch(String launchPath) {
    return new Reply(Status.OK, "", launchPath);
  }

  /** Returns an error reply. */
  public static Reply error(String message) {
    return new Reply(Status.ERROR, message.isEmpty() ? "unspecified error" : message, "");
  }

  /** Returns a progress reply. */
  public static Reply progress(String message) {
    return new Reply(Status.PROGRESS, message, "");
  }

  /** Encodes the reply as a frame. */
  public byte[] encode() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", status.wire);
    if (!message.isEmpty()) {
      fields.put("message", sanitize(message));
    }
    if (!launch.isEmpty()) {
      fields.put("launch", launch);
    }
    return WireCodec.encode(fields);
  }

  private static String sanitize(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(MAX_MESSAGE)
        .forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? ' ' : c));
    return out.toString();
  }
}
