package org.hpcs.common.crypto;

/** The input to decrypt has no bytes at all. */
public final class EmptyInputException extends AgeException {
  EmptyInputException(String source) {
    super(
        "input %s is empty: an age file has at least a header and one payload chunk; check the file name and that the copy finished"
            .formatted(source));
  }
}
