package org.hpcs.client.cli;

import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A byte-count progress bar on standard error, shown only when standard error is a terminal. */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** Starts a bar for {@code total} bytes, or a silent one when not on a terminal. */
  static Progress start(String task, long total) {
    if (Terminals.terminal() == null) {
      return new Progress(null);
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" MiB", 1 << 20)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .build();
    return new Progress(bar);
  }

  /** Returns a callback that advances the bar by a byte count. */
  LongConsumer listener() {
    return bar == null ? n -> {} : bar::stepBy;
  }

  /** Moves the bar to an absolute position, for resumed uploads. */
  void stepTo(long position) {
    if (bar != null) {
      bar.stepTo(position);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
