package org.hpcs.client;

import org.hpcs.client.cli.HpcsCommand;

/** Entry point of the {@code hpcs} command. */
public final class Main {
  private Main() {}

  /** Runs hpcs and exits with its status: 0 ok, 1 failure, 2 usage error. */
  public static void main(String[] args) {
    System.exit(HpcsCommand.commandLine().execute(args));
  }
}
