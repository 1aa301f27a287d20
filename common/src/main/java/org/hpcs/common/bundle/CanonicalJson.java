package org.hpcs.common.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical JSON form that manifest signatures cover: UTF-8, no whitespace, object
 * members sorted by name (UTF-16 code unit order), strings escaping only {@code "}, {@code \} and
 * control characters (as {@code \b \f \n \r \t}, others as a backslash, "u00" and two lower-case
 * hex digits), integers in plain decimal. For the strings, integers and objects of a manifest this
 * equals RFC 8785 (JSON Canonicalization Scheme). Floats, booleans, nulls and arrays are rejected.
 */
final class CanonicalJson {
  private CanonicalJson() {}

  static byte[] encode(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      writeObject(node, out);
    } else if (node.isTextual()) {
      writeString(node.textValue(), out);
    } else if (node.isIntegralNumber() && node.canConvertToLong()) {
      out.append(node.longValue());
    } else {
      throw new IllegalArgumentException(
          "canonical form has no encoding for " + node.getNodeType());
    }
  }

  private static void writeObject(JsonNode node, StringBuilder out) {
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
    members.sort(Map.Entry.comparingByKey());
    out.append('{');
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      writeString(members.get(i).getKey(), out);
      out.append(':');
      write(members.get(i).getValue(), out);
    }
    out.append('}');
  }

  static void writeString(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 0xf, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
