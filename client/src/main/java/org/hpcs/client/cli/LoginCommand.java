package org.hpcs.client.cli;

import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.config.ConfigLoader;
import org.hpcs.client.vault.TokenCache;
import org.hpcs.client.vault.VaultSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hpcs login}: logs in to Vault or OpenBao and caches the token in a 0600 file. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to Vault/OpenBao with the method set by vault.auth (userpass, jwt or token) and"
          + " cache the token in token.file (default ~/.config/hpcs/vault-token, mode 0600).",
      "Passwords and tokens are never taken as arguments: they come from a prompt or a file."
    })
final class LoginCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = {"-u", "--username"},
      paramLabel = "USER",
      description = "Vault user name for userpass (default: vault.username).")
  String username;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the userpass password from the first line of FILE instead of a prompt.")
  Path passwordFile;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "For vault.auth=jwt: file holding the site's OIDC ID token (a JWT). For vault.auth=token:"
              + " file holding an existing Vault token.")
  Path tokenFile;

  @Override
  public Integer call() throws Exception {
    ClientConfig config = common.loadConfig();
    ConfigLoader.require(config, "hpcs login", "vault.url", config.vaultUrl());
    VaultSession anonymous =
        VaultSession.open(config.vaultUrl().orElseThrow(), null, config.kvMount());
    String token =
        switch (config.vaultAuth()) {
          case "jwt" -> loginJwt(config, anonymous);
          case "token" -> readSecretFile(requireTokenFile(), "token");
          default -> loginUserpass(config, anonymous);
        };
    String user =
        VaultSession.open(config.vaultUrl().orElseThrow(), token, config.kvMount()).username();
    TokenCache.write(config.tokenFile(), token);
    spec.commandLine()
        .getErr()
        .printf(
            "hpcs: logged in to %s as %s; token cached in %s%n",
            config.vaultUrl().get(), user, config.tokenFile());
    return 0;
  }

  private String loginUserpass(ClientConfig config, VaultSession vault) throws Exception {
    String user = username != null ? username : config.vaultUsername().orElse(null);
    if (user == null) {
      throw new HpcsException(
          "no Vault user name", "pass --username or set vault.username in " + config.file());
    }
    if (passwordFile != null) {
      return vault.loginUserpass(
          config.vaultAuthMount(), user, readSecretFile(passwordFile, "password"));
    }
    Console console = Terminals.terminal();
    if (console == null) {
      throw new HpcsException(
          "cannot prompt for the password: standard input is not a terminal",
          "pass --password-file FILE (a file only you can read)");
    }
    char[] password = console.readPassword("Vault password for %s: ", user);
    try {
      return vault.loginUserpass(config.vaultAuthMount(), user, new String(password));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private String loginJwt(ClientConfig config, VaultSession vault) throws Exception {
    ConfigLoader.require(
        config, "hpcs login with vault.auth=jwt", "vault.jwt.role", config.vaultJwtRole());
    String jwt = readSecretFile(requireTokenFile(), "ID token");
    return vault.loginJwt(config.vaultAuthMount(), config.vaultJwtRole().get(), jwt);
  }

  private Path requireTokenFile() throws HpcsException {
    if (tokenFile == null) {
      throw new HpcsException(
          "this login method needs --token-file FILE", "see 'hpcs login --help'");
    }
    return tokenFile;
  }

  private static String readSecretFile(Path file, String what) throws Exception {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String first = text.lines().findFirst().orElse("").strip();
    if (first.isEmpty()) {
      throw new HpcsException("%s file %s is empty".formatted(what, file));
    }
    return first;
  }
}
