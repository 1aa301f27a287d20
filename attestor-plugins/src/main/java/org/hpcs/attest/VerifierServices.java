package org.hpcs.attest;

import java.util.Optional;

/** Server services handed to verifiers, looked up by type. */
public interface VerifierServices {
  /** Returns the service of the given type, if the server offers one. */
  <T> Optional<T> lookup(Class<T> type);

  /** Returns a registry that offers no services. */
  static VerifierServices none() {
    return new VerifierServices() {
      @Override
      public <T> Optional<T> lookup(Class<T> type) {
        return Optional.empty();
      }
    };
  }
}
