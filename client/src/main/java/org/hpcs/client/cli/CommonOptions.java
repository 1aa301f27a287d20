package org.hpcs.client.cli;

import java.nio.file.Path;
import java.util.Map;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.config.ConfigLoader;
import picocli.CommandLine.Option;

/** Flags shared by every subcommand, mixed in with {@code @Mixin}. */
public final class CommonOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration file (Java properties). Default: $HPCS_CONFIG, else"
              + " ~/.config/hpcs/config.properties.")
  Path config;

  @Option(
      names = "--stacktrace",
      description = "On failure, also print the Java stack trace (for bug reports).")
  boolean stacktrace;

  /** Loads and validates the configuration file that these options select. */
  public ClientConfig loadConfig() throws HpcsException {
    return ConfigLoader.load(config, environment());
  }

  static Map<String, String> environment() {
    return System.getenv();
  }
}
