package org.hpcs.agent.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Frames of the node agent socket protocol, version 1: a 4-byte big-endian payload length, then the
 * payload as UTF-8 lines {@code key=value\n}, the first being {@code v=1}. Keys match {@code
 * [a-z][a-z0-9_]{0,31}} and are unique; values hold no ASCII control characters; a message has at
 * most {@value #MAX_FIELDS} fields and {@value #MAX_FRAME} payload bytes. docs/protocol.md is the
 * full description.
 */
public final class WireCodec {
  /** The protocol version this codec speaks. */
  public static final String VERSION = "1";

  /** Largest payload in bytes. */
  public static final int MAX_FRAME = 128 * 1024;

  /** Largest number of fields in one message, the version included. */
  public static final int MAX_FIELDS = 32;

  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  private WireCodec() {}

  /**
   * Reads one frame from the channel.
   *
   * @return the payload, or {@code null} when the peer closed the connection before a frame began
   * @throws ProtocolException when the length is 0 or too large, or the frame is truncated
   */
  public static byte[] readFrame(ReadableByteChannel channel)
      throws IOException, ProtocolException {
    ByteBuffer header = ByteBuffer.allocate(4);
    if (!readFully(channel, header)) {
      if (header.position() == 0) {
        return null;
      }
      throw new ProtocolException(
          "truncated frame: connection closed after " + header.position() + " of 4 header bytes");
    }
    int length = header.flip().getInt();
    checkLength(length);
    ByteBuffer payload = ByteBuffer.allocate(length);
    if (!readFully(channel, payload)) {
      throw new ProtocolException(
          "truncated frame: connection closed after "
              + payload.position()
              + " of "
              + length
              + " payload bytes");
    }
    return payload.array();
  }

  /** Checks a payload length read from a frame header. */
  public static void checkLength(int length) throws ProtocolException {
    if (length <= 0 || length > MAX_FRAME) {
      throw new ProtocolException(
          "frame length "
              + Integer.toUnsignedString(length)
              + " is outside 1.."
              + MAX_FRAME
              + " bytes");
    }
  }

  private static boolean readFully(ReadableByteChannel channel, ByteBuffer buffer)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Decodes a payload into its fields.
   *
   * @throws ProtocolException for invalid UTF-8, a missing line end, an invalid or repeated key, a
   *     control character in a value, too many fields, or a version other than {@value #VERSION}
   */
  public static WireMessage decode(byte[] payload) throws ProtocolException {
    if (payload.length == 0 || payload.length > MAX_FRAME) {
      throw new ProtocolException("payload of " + payload.length + " bytes is empty or too long");
    }
    String text = decodeUtf8(payload);
    if (!text.endsWith("\n")) {
      throw new ProtocolException("payload does not end with a line end");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      parseLine(text.substring(start, end), fields);
      start = end + 1;
    }
    String version = fields.entrySet().iterator().next().getKey();
    if (!version.equals("v")) {
      throw new ProtocolException("first field is '" + version + "', expected the version 'v'");
    }
    if (!VERSION.equals(fields.get("v"))) {
      throw new ProtocolException(
          "unsupported protocol version '"
              + abbreviate(fields.get("v"))
              + "', expected "
              + VERSION);
    }
    return new WireMessage(fields);
  }

  private static void parseLine(String line, Map<String, String> fields) throws ProtocolException {
    int line1 = fields.size() + 1;
    int eq = line.indexOf('=');
    if (eq < 0) {
      throw new ProtocolException("line " + line1 + " has no '='");
    }
    String key = line.substring(0, eq);
    String value = line.substring(eq + 1);
    if (!KEY.matcher(key).matches()) {
      throw new ProtocolException(
          "line " + line1 + " has an invalid key '" + abbreviate(key) + "'");
    }
    if (hasControlCharacter(value)) {
      throw new ProtocolException("value of key '" + key + "' contains a control character");
    }
    if (fields.size() == MAX_FIELDS) {
      throw new ProtocolException("message has more than " + MAX_FIELDS + " fields");
    }
    if (fields.putIfAbsent(key, value) != null) {
      throw new ProtocolException("key '" + key + "' occurs twice");
    }
  }

  /**
   * Encodes fields as a frame, header included; the version field is added first.
   *
   * @throws IllegalArgumentException when a key or value is invalid or the payload too long
   */
  public static byte[] encode(Map<String, String> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[4]);
    out.writeBytes(("v=" + VERSION + "\n").getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, String> field : fields.entrySet()) {
      String key = field.getKey();
      if (!KEY.matcher(key).matches() || key.equals("v")) {
        throw new IllegalArgumentException("invalid protocol key '" + key + "'");
      }
      if (hasControlCharacter(field.getValue())) {
        throw new IllegalArgumentException("value of key '" + key + "' has a control character");
      }
      out.writeBytes((key + "=" + field.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] frame = out.toByteArray();
    int length = frame.length - 4;
    if (length > MAX_FRAME || fields.size() + 1 > MAX_FIELDS) {
      throw new IllegalArgumentException("message of " + length + " bytes is too long");
    }
    ByteBuffer.wrap(frame).putInt(length);
    return frame;
  }

  /** Returns whether the text contains an ASCII control character (which includes line ends). */
  public static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static String decodeUtf8(byte[] payload) throws ProtocolException {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException("payload is not valid UTF-8", e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 32 ? text : text.substring(0, 32) + "...";
  }
}
