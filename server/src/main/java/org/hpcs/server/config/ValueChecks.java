package org.hpcs.server.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.hpcs.server.http.ServerTls;

/**
 * Checks of single configuration values that go beyond their syntax: files that must parse or stay
 * private, and addresses that must name a host. Each check returns the problem text without the
 * key, or empty when the value is usable.
 */
public final class ValueChecks {
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");
  private static final Pattern IPV6_LITERAL =
      Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");
  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private ValueChecks() {}

  /** Checks a host name, an IPv4 address or an IPv6 literal to bind or connect to. */
  static Optional<String> host(String host) {
    if (HOST_NAME.matcher(host).matches() || IPV6_LITERAL.matcher(host).matches()) {
      return Optional.empty();
    }
    return Optional.of(
        "'" + host + "' is not a host name or IP address; use for example 127.0.0.1 or 0.0.0.0");
  }

  /** Checks that an http(s) address names a host and nothing after the port. */
  static Optional<String> baseAddress(URI uri) {
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      return Optional.empty(); // reported with the scheme
    }
    if (uri.getHost() == null) {
      return Optional.of("'" + uri + "' names no host; use for example https://vault.example:8200");
    }
    boolean bare =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (!bare
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      return Optional.of(
          "'"
              + uri
              + "' must be scheme, host and port only, because the server adds /v1/...; use"
              + " for example https://vault.example:8200");
    }
    return Optional.empty();
  }

  /** Checks that a file that contains a secret is readable by its owner only. */
  public static Optional<String> privateFile(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(GROUP_OR_OTHER::contains)) {
        return Optional.of(
            "file " + file + " is readable or writable by group or others; run chmod 600 " + file);
      }
      return Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.of("cannot read the permissions of file " + file);
    }
  }

  /** Checks that a PEM file contains at least one certificate. */
  static Optional<String> certificates(Path file) {
    try {
      if (ServerTls.readCertificates(file).isEmpty()) {
        return Optional.of("file " + file + " contains no PEM certificate");
      }
      return Optional.empty();
    } catch (GeneralSecurityException | IOException e) {
      return Optional.of("file " + file + " contains no readable PEM certificate");
    }
  }

  /** Checks that a PEM file contains an unencrypted PKCS#8 private key. */
  static Optional<String> privateKey(Path file) {
    try {
      ServerTls.readPrivateKey(file);
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      return Optional.of(e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      return Optional.of("file " + file + " contains no readable PEM private key");
    }
  }

  /** Checks that the directory of an SQLite database file exists. */
  static Optional<String> sqliteDirectory(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int options = file.indexOf('?');
    if (options >= 0) {
      file = file.substring(0, options);
    }
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file:")) {
      return Optional.empty();
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      return Optional.of(
          "directory "
              + parent
              + " of the SQLite file does not exist; create it or change the path");
    }
    return Optional.empty();
  }
}
