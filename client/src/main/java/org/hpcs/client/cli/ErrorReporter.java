package org.hpcs.client.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.hpcs.client.HpcsException;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.job.JobManifestException;
import org.hpcs.common.tar.TarException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Prints failures in the hpcs voice: {@code hpcs: error: ...} and {@code hpcs: hint: ...} lines on
 * standard error, lower case and without a final period, with a stack trace only under {@code
 * --stacktrace}.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    List<String> hints = new ArrayList<>();
    String message = describe(e, hints);
    err.println("hpcs: error: " + message);
    for (String hint : hints) {
      err.println("hpcs: hint: " + hint);
    }
    if (hasStacktraceFlag(parseResult)) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("hpcs: error: " + e.getMessage());
    err.println("hpcs: hint: usage: " + command.getHelp().synopsis(0).strip());
    err.println(
        "hpcs: hint: run '"
            + command.getCommandSpec().qualifiedName()
            + " --help' for every option");
    err.flush();
    return EXIT_USAGE;
  }

  static String describe(Exception e, List<String> hints) {
    return switch (e) {
      case HpcsException h -> {
        hints.addAll(h.hints());
        yield h.getMessage();
      }
      case AgeException a -> a.getMessage();
      case BundleException b -> b.getMessage();
      case TarException t -> t.getMessage();
      case JobManifestException j -> j.getMessage();
      case NoSuchFileException n -> "file not found: " + n.getFile();
      case AccessDeniedException a -> "permission denied: " + a.getFile();
      case FileAlreadyExistsException f -> {
        hints.add("remove it or choose another name; hpcs never overwrites it");
        yield "file exists: " + f.getFile();
      }
      // A file system failure such as a full disk names the file and the reason: it is no bug.
      case FileSystemException f -> f.getMessage();
      default -> {
        hints.add("rerun with --stacktrace and report the output");
        yield e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    };
  }

  private static boolean hasStacktraceFlag(ParseResult parseResult) {
    for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
      if (result.hasMatchedOption("--stacktrace")) {
        return true;
      }
    }
    return false;
  }
}
