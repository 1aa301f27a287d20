package org.hpcs.client.cli;

import java.io.Console;

/** Tells whether the process talks to a terminal, for prompts and progress bars. */
final class Terminals {
  private Terminals() {}

  /** Returns the console when standard input and output are a terminal, else null. */
  // System.console() can still be null when the JVM is started without a console provider.
  @SuppressWarnings("SystemConsoleNull")
  static Console terminal() {
    Console console = System.console();
    return console != null && console.isTerminal() ? console : null;
  }
}
