package org.hpcs.agent.userio;

import java.util.HashSet;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs file operations with a job user's file-system rights, so that the root agent never follows a
 * path that a user named (a symbolic link to {@code /etc/shadow}, a directory the user may not
 * enter) with root's rights.
 *
 * <p>Each call runs on a new platform thread that sets its own groups, fsgid and fsuid to the
 * user's, runs the action and ends. Only that thread changes: the kernel keeps credentials per
 * thread, and the agent's other threads keep root's rights. A fresh thread per call means that a
 * failed restore cannot leak the user's ids into later work. The other way to open a file as the
 * user, a child process running as the user that passes the descriptor back over a Unix socket,
 * needs a helper program and descriptor passing, which Java's socket API does not offer.
 *
 * <p>The action must not start threads or submit work to executors: a thread started from the
 * switched thread inherits the user's file-system ids. Objects it returns, such as an open {@code
 * FileChannel}, may be used from any thread.
 */
public final class UserIo {
  private static final Logger LOG = LoggerFactory.getLogger(UserIo.class);

  /**
   * Work to run with the user's rights.
   *
   * @param <T> the result type
   * @param <E> the checked exception the work may throw
   */
  @FunctionalInterface
  public interface Action<T, E extends Exception> {
    /** Runs the work. */
    T run() throws E;
  }

  private UserIo() {}

  /**
   * Runs {@code action} with the file-system rights of {@code user} and returns its result.
   *
   * @throws E what the action threw
   * @throws UserIoException when the thread could not take on the user's ids
   */
  @SuppressWarnings("unchecked")
  public static <T, E extends Exception> T call(UserIdentity user, Action<T, E> action)
      throws E, UserIoException {
    Objects.requireNonNull(user, "user must not be null");
    Objects.requireNonNull(action, "action must not be null");
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        Thread.ofPlatform()
            .name("user-io-" + user.name())
            .unstarted(() -> runAs(user, action, result, failure));
    thread.start();
    joinUninterruptibly(thread);
    Throwable thrown = failure.get();
    if (thrown == null) {
      return result.get();
    }
    if (thrown instanceof UserIoException e) {
      throw e;
    }
    if (thrown instanceof RuntimeException e) {
      throw e;
    }
    if (thrown instanceof Error e) {
      throw e;
    }
    throw (E) thrown;
  }

  private static <T, E extends Exception> void runAs(
      UserIdentity user,
      Action<T, E> action,
      AtomicReference<T> result,
      AtomicReference<Throwable> failure) {
    ThreadCredentials.Snapshot original;
    try {
      original = ThreadCredentials.current();
      ThreadCredentials.become(user.uid(), user.gid(), user.groups());
      checkBecame(user, ThreadCredentials.current());
    } catch (UserIoException | RuntimeException e) {
      failure.set(e);
      return;
    }
    try {
      result.set(action.run());
    } catch (Throwable e) {
      failure.set(e);
    } finally {
      restore(original, failure);
    }
  }

  private static void checkBecame(UserIdentity user, ThreadCredentials.Snapshot now)
      throws UserIoException {
    boolean groupsMatch = new HashSet<>(now.groups()).equals(new HashSet<>(user.groups()));
    if (now.fsuid() != user.uid() || now.fsgid() != user.gid() || !groupsMatch) {
      throw new UserIoException(
          "the node agent could not take on the file-system ids of "
              + user
              + ": the thread has fsuid "
              + now.fsuid()
              + ", fsgid "
              + now.fsgid()
              + ", groups "
              + now.groups()
              + "; run the agent as root");
    }
  }

  private static void restore(ThreadCredentials.Snapshot original, AtomicReference<Throwable> f) {
    try {
      ThreadCredentials.restore(original);
    } catch (UserIoException | RuntimeException e) {
      // The thread ends right after this, so its ids die with it.
      LOG.warn("restoring root's ids on a user-io thread failed: {}", e.getMessage());
      if (f.get() == null) {
        f.set(e);
      }
    }
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
