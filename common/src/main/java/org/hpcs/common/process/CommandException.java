package org.hpcs.common.process;

/**
 * An external command could not be run to the end. {@link #reason()} distinguishes the cases, so a
 * caller can wrap this in its own exception with its own message. Messages name the program only,
 * never its arguments.
 */
public final class CommandException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The reason the command did not complete. */
  public enum Reason {
    /** The program could not be started; the cause is the {@link java.io.IOException}. */
    START_FAILED,
    /** The program did not exit within its time limit and was killed. */
    TIMED_OUT,
    /** Writing the standard input failed for a reason other than the program having exited. */
    INPUT_FAILED,
    /** Reading the output failed, or the output stayed open after the program exited. */
    OUTPUT_FAILED
  }

  private final Reason reason;

  CommandException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Returns why the command did not complete. */
  public Reason reason() {
    return reason;
  }
}
