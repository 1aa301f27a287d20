package org.hpcs.agent.spire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the HCL subset that SPIRE config files use: attributes ({@code key = value}), blocks
 * with optional labels ({@code NodeAttestor "join_token" { ... }}), strings, numbers, booleans,
 * lists, objects, heredocs, and {@code #}, {@code //} and {@code /* *}{@code /} comments. String
 * interpolations such as {@code ${VAR}} are kept as written.
 */
public final class Hcl {
  /**
   * A block.
   *
   * @param type the block type, such as {@code agent}
   * @param labels the labels after the type
   * @param body the block's attributes and nested blocks
   * @param bodyOffset character offset just after the block's opening brace
   */
  public record Block(String type, List<String> labels, Body body, int bodyOffset) {}

  /**
   * A body: attributes (values are String, Boolean, List or Map) and blocks in file order.
   *
   * @param attributes the attributes by name
   * @param blocks the nested blocks
   */
  public record Body(Map<String, Object> attributes, List<Block> blocks) {
    /** Returns the blocks of one type. */
    public List<Block> blocks(String type) {
      return blocks.stream().filter(b -> b.type().equals(type)).toList();
    }
  }

  private final String text;
  private int pos;

  private Hcl(String text) {
    this.text = text;
  }

  /**
   * Parses a whole file.
   *
   * @throws HclException naming the line of the first syntax error
   */
  public static Body parse(String text) throws HclException {
    Hcl parser = new Hcl(text);
    Body body = parser.body(false);
    parser.skipSpace();
    if (parser.pos < text.length()) {
      throw parser.error("unexpected '" + text.charAt(parser.pos) + "'");
    }
    return body;
  }

  private Body body(boolean nested) throws HclException {
    Map<String, Object> attributes = new LinkedHashMap<>();
    List<Block> blocks = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= text.length()) {
        if (nested) {
          throw error("missing '}' before the end of the file");
        }
        return new Body(attributes, blocks);
      }
      if (peek() == '}') {
        if (!nested) {
          throw error("unexpected '}'");
        }
        pos++;
        return new Body(attributes, blocks);
      }
      String name = peek() == '"' ? string() : identifier();
      skipSpace();
      if (peek() == '=' || peek() == ':') {
        pos++;
        if (attributes.put(name, value()) != null) {
          throw error("attribute '" + name + "' is set twice");
        }
        continue;
      }
      List<String> labels = new ArrayList<>();
      while (peek() == '"' || isIdentifierStart(peek())) {
        labels.add(peek() == '"' ? string() : identifier());
        skipSpace();
      }
      expect('{');
      int bodyOffset = pos;
      blocks.add(new Block(name, List.copyOf(labels), body(true), bodyOffset));
    }
  }

  private Object value() throws HclException {
    skipSpace();
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == '<' && text.startsWith("<<", pos)) {
      return heredoc();
    }
    if (c == '[') {
      return list();
    }
    if (c == '{') {
      pos++;
      return object();
    }
    if (c == '-' || Character.isDigit(c)) {
      int start = pos++;
      while (pos < text.length()
          && (Character.isLetterOrDigit(peek()) || ".+-_".indexOf(peek()) >= 0)) {
        pos++;
      }
      return text.substring(start, pos);
    }
    if (isIdentifierStart(c)) {
      String word = identifier();
      return switch (word) {
        case "true" -> true;
        case "false" -> false;
        default -> word;
      };
    }
    throw error(
        c == 0
            ? "missing value before the end of the file"
            : "unexpected '" + c + "' where a value belongs");
  }

  private List<Object> list() throws HclException {
    pos++;
    List<Object> items = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek() == ']') {
        pos++;
        return items;
      }
      items.add(value());
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != ']') {
        throw error("expected ',' or ']' in a list");
      }
    }
  }

  private Map<String, Object> object() throws HclException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (true) {
      skipSpace();
      if (peek() == '}') {
        pos++;
        return map;
      }
      String key = peek() == '"' ? string() : identifier();
      skipSpace();
      if (peek() != '=' && peek() != ':') {
        throw error("expected '=' after '" + key + "'");
      }
      pos++;
      map.put(key, value());
      skipSpace();
      if (peek() == ',') {
        pos++;
      }
    }
  }

  private String string() throws HclException {
    int startLine = line();
    pos++;
    StringBuilder out = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c == '\n') {
        break;
      }
      if (c == '\\' && pos < text.length()) {
        char e = text.charAt(pos++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'u' -> out.append(unicodeEscape());
          default -> out.append(e);
        }
      } else {
        out.append(c);
      }
    }
    throw new HclException("line " + startLine + ": string is not closed on its line");
  }

  private char unicodeEscape() throws HclException {
    if (pos + 4 > text.length()) {
      throw error("incomplete \\u escape");
    }
    try {
      char c = (char) Integer.parseInt(text.substring(pos, pos + 4), 16);
      pos += 4;
      return c;
    } catch (NumberFormatException e) {
      throw error("invalid \\u escape");
    }
  }

  private String heredoc() throws HclException {
    pos += 2;
    boolean indented = peek() == '-';
    if (indented) {
      pos++;
    }
    String marker = identifier();
    int lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) {
      throw error("heredoc <<" + marker + " has no body");
    }
    pos = lineEnd + 1;
    StringBuilder out = new StringBuilder();
    while (pos < text.length()) {
      int end = text.indexOf('\n', pos);
      String line = text.substring(pos, end < 0 ? text.length() : end);
      pos = end < 0 ? text.length() : end + 1;
      if (line.strip().equals(marker)) {
        return out.toString();
      }
      out.append(indented ? line.stripLeading() : line).append('\n');
    }
    throw error("heredoc <<" + marker + " is not closed");
  }

  private String identifier() throws HclException {
    if (!isIdentifierStart(peek())) {
      throw error(
          pos >= text.length() ? "unexpected end of the file" : "unexpected '" + peek() + "'");
    }
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '-' || peek() == '.')) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private void expect(char c) throws HclException {
    skipSpace();
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() throws HclException {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '#' || text.startsWith("//", pos)) {
        int end = text.indexOf('\n', pos);
        pos = end < 0 ? text.length() : end + 1;
      } else if (text.startsWith("/*", pos)) {
        int end = text.indexOf("*/", pos + 2);
        if (end < 0) {
          throw error("comment is not closed");
        }
        pos = end + 2;
      } else {
        return;
      }
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private int line() {
    int line = 1;
    for (int i = 0; i < pos && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private HclException error(String message) {
    return new HclException("line " + line() + ": " + message);
  }
}
