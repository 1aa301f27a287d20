package org.hpcs.agent.report;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends job events to the server's audit log in the background, in order, so a slow server never
 * delays a step. When the queue is full the event stays only in the journal and a warning is
 * logged.
 */
public final class ServerReporter implements Reporter, AutoCloseable {
  /** Maximum length of an event detail the server accepts, in characters. */
  static final int MAX_DETAIL = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ServerReporter.class);
  private static final int QUEUE = 1000;

  private final ServerApi server;
  private final ThreadPoolExecutor sender =
      new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE));

  /** Creates the reporter. */
  public ServerReporter(ServerApi server) {
    this.server = server;
  }

  @Override
  public void report(JobEvent event) {
    try {
      sender.execute(() -> send(event));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.warn(
          "server report queue full ({} events); job {} event {} kept only in the journal",
          QUEUE,
          event.jobId(),
          event.event());
    }
  }

  private void send(JobEvent event) {
    try {
      server.reportEvent(event.jobId(), event.step(), event.event(), shorten(event.detail()));
    } catch (ServerException e) {
      LOG.warn(
          "reporting job {} event {} to the server failed: {}",
          event.jobId(),
          event.event(),
          e.getMessage());
    }
  }

  /** Cuts a detail to the server's limit, so that a long failure reason still reaches the audit. */
  static String shorten(String detail) {
    return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL - 3) + "...";
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn(
            "{} job events were not sent to the server before shutdown", sender.getQueue().size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
