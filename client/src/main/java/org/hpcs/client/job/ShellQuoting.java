package org.hpcs.client.job;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting for words of a generated script. Single quotes keep every character literal
 * (spaces, {@code "}, {@code $}, backticks, backslashes, newlines); a single quote itself is
 * written as {@code '\''}.
 */
public final class ShellQuoting {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private ShellQuoting() {}

  /**
   * Returns {@code word} as one shell word: unchanged when it has only characters without meaning
   * to the shell, else in single quotes.
   *
   * @throws IllegalArgumentException if the word contains a NUL character, which no shell word can
   *     carry
   */
  public static String quote(String word) {
    if (word.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a command argument contains a NUL character");
    }
    if (PLAIN.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Returns the words quoted and joined with spaces. */
  public static String join(List<String> words) {
    return words.stream().map(ShellQuoting::quote).collect(Collectors.joining(" "));
  }
}
