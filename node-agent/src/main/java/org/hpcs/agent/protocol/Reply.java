package org.hpcs.agent.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reply on the agent socket: {@code ok}, {@code error} with a message, or {@code progress} while
 * the agent is still working (the plugin restarts its read timeout on each).
 *
 * @param status the reply status
 * @param message text for the user, never a secret; control characters become spaces
 */
public record Reply(Status status, String message) {
  /** Maximum message length in code points; the plugin shows at most 1023 bytes of it. */
  public static final int MAX_MESSAGE = 900;

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

  /** Returns a success reply. */
  public static Reply ok() {
    return new Reply(Status.OK, "");
  }

  /** Returns an error reply. */
  public static Reply error(String message) {
    return new Reply(Status.ERROR, message.isEmpty() ? "unspecified error" : message);
  }

  /** Returns a progress reply. */
  public static Reply progress(String message) {
    return new Reply(Status.PROGRESS, message);
  }

  /** Encodes the reply as a frame. */
  public byte[] encode() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", status.wire);
    if (!message.isEmpty()) {
      fields.put("message", sanitize(message));
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
