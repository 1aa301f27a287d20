package org.hpcs.common.crypto;

/** None of the given identities can unwrap the file key: the file was encrypted to other keys. */
public final class NoMatchingIdentityException extends AgeException {
  NoMatchingIdentityException(String source, int identityCount, Throwable cause) {
    super(
        ("no identity matches a recipient of %s (tried %d identit%s): it was encrypted to other"
                + " public keys; use the identity file of one of its recipients")
            .formatted(source, identityCount, identityCount == 1 ? "y" : "ies"),
        cause);
  }
}
