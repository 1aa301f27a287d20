package org.hpcs.server.service;

import java.util.List;
import java.util.regex.Pattern;
import org.hpcs.server.http.ApiException;

/**
 * Field validation for request bodies. Names that end up in SPIFFE IDs, Vault paths or HCL text are
 * restricted to letters, digits, dot, underscore and hyphen, and never start with a dot.
 */
public final class Checks {
  /** Slurm node names. */
  public static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Cluster and Vault usernames. */
  public static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

  /** Bundle identifiers. */
  public static final Pattern BUNDLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Slurm job identifiers, including array and het-job forms such as {@code 42_7}. */
  public static final Pattern JOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /** Slurm partition names. */
  public static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Lower-case hex SHA-256. */
  public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private Checks() {}

  /**
   * Returns the value when it is present and matches.
   *
   * @throws ApiException 400 naming the field and the expected form
   */
  public static String require(String field, String value, Pattern pattern) throws ApiException {
    if (value == null || value.isEmpty()) {
      throw ApiException.badRequest("missing-field", "field '" + field + "' is required");
    }
    if (!pattern.matcher(value).matches()) {
      throw ApiException.badRequest(
          "invalid-field",
          "field '"
              + field
              + "' value '"
              + shorten(value)
              + "' does not match "
              + pattern.pattern());
    }
    return value;
  }

  /**
   * Checks every element of an optional list.
   *
   * @return the list, or an empty list for null
   * @throws ApiException 400 naming the field and the element at fault
   */
  public static List<String> each(String field, List<String> values, Pattern pattern, int max)
      throws ApiException {
    if (values == null) {
      return List.of();
    }
    if (values.size() > max) {
      throw ApiException.badRequest(
          "invalid-field",
          "field '" + field + "' has " + values.size() + " entries, at most " + max);
    }
    for (int i = 0; i < values.size(); i++) {
      require(field + "[" + i + "]", values.get(i), pattern);
    }
    return List.copyOf(values);
  }

  /**
   * Checks free text.
   *
   * @throws ApiException 400 when it is longer than {@code max} characters
   */
  public static String text(String field, String value, int max) throws ApiException {
    if (value != null && value.length() > max) {
      throw ApiException.badRequest(
          "invalid-field", "field '" + field + "' is longer than " + max + " characters");
    }
    return value == null ? "" : value;
  }

  private static String shorten(String value) {
    String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
  }
}
