package org.hpcs.agent;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.agent.config.ConfigException;
import org.hpcs.agent.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Command line of hpcs-node-agent: run the daemon, or check its config. Exit codes: 0, 1, 2. */
@Command(
    name = "hpcs-node-agent",
    mixinStandardHelpOptions = true,
    description = "HPCS node agent: the compute-node daemon behind the --hpcs-secure SPANK plugin.",
    subcommands = {Main.Run.class, Main.CheckConfig.class, Main.ConfigValue.class})
public final class Main {
  // java-spiffe logs through java.util.logging and its INFO lines repeat what the agent logs.
  // The field keeps the logger, and so its level, from being garbage-collected.
  private static final java.util.logging.Logger SPIFFE_LOGGER =
      java.util.logging.Logger.getLogger("io.spiffe");

  @Option(
      names = {"-c", "--config"},
      description = "Config file (default: ${DEFAULT-VALUE}).",
      defaultValue = "/etc/hpcs/node-agent.conf",
      scope = CommandLine.ScopeType.INHERIT)
  Path config;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    SPIFFE_LOGGER.setLevel(java.util.logging.Level.WARNING);
    CommandLine line = new CommandLine(new Main());
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          System.err.println("hpcs-node-agent: error: " + e.getMessage());
          return 1;
        });
    System.exit(line.execute(args));
  }

  AgentConfig load() throws ConfigException {
    return ConfigLoader.load(config);
  }

  /** Runs the daemon in the foreground until SIGTERM or SIGINT. */
  @Command(name = "run", description = "Run the node agent in the foreground.")
  static final class Run implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;

    @Override
    public Integer call() throws ConfigException, StartupException, InterruptedException {
      NodeAgent agent = new NodeAgent(parent.load());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    agent.close();
                    stopped.countDown();
                  }));
      agent.start();
      stopped.await();
      return 0;
    }
  }

  /** Validates the config file and reports every problem at once. */
  @Command(name = "check-config", description = "Check the config file and list every problem.")
  static final class CheckConfig implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;

    @Override
    public Integer call() throws ConfigException {
      AgentConfig config = parent.load();
      System.out.println(parent.config + ": valid (node " + config.node() + ")");
      return 0;
    }
  }

  /** Prints one value of a valid config, for scripts. */
  @Command(
      name = "config-value",
      description = "Print one config value (node, socket, state-dir, pid-file).")
  static final class ConfigValue implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;

    @Parameters(index = "0", description = "The key.")
    String key;

    @Override
    public Integer call() throws ConfigException {
      AgentConfig config = parent.load();
      String value =
          switch (key) {
            case "node" -> config.node();
            case "socket" -> config.socket().toString();
            case "state-dir" -> config.stateDir().toString();
            case "pid-file" -> config.pidFile().map(Path::toString).orElse("");
            default ->
                throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "unknown key '" + key + "'; use node, socket, state-dir or pid-file");
          };
      System.out.println(value);
      return 0;
    }
  }
}
