package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The loaded tpm2-tss libraries. They are loaded by their versioned file names, which exist without
 * the libtss2-dev package.
 */
final class Tss {
  private static final String ESYS = "libtss2-esys.so.0";
  private static final String TCTILDR = "libtss2-tctildr.so.0";
  private static final String MU = "libtss2-mu.so.0";
  private static final String RC = "libtss2-rc.so.0";

  final Esys esys;
  final TctiLoader tcti;
  final Mu mu;
  private final ResponseCodes responseCodes;

  private Tss() {
    esys = Native.load(ESYS, Esys.class);
    tcti = Native.load(TCTILDR, TctiLoader.class);
    responseCodes = Native.load(RC, ResponseCodes.class);
    mu = new Mu(NativeLibrary.getInstance(MU), this);
  }

  /**
   * Loads the libraries.
   *
   * @throws TpmException when a library is missing, naming the Debian package that provides it
   */
  static Tss load() throws TpmException {
    try {
      return new Tss();
    } catch (UnsatisfiedLinkError e) {
      throw new TpmException(
          "cannot load the tpm2-tss libraries ("
              + e.getMessage()
              + "); install libtss2-esys-3.0.2-0, libtss2-tctildr0, libtss2-mu0 and libtss2-rc0"
              + " (Debian 12) or the equivalent tpm2-tss 3.x packages",
          e);
    }
  }

  /** Throws when {@code rc} is not success, naming the call and the decoded code. */
  void check(int rc, String call) throws TpmException {
    if (rc != 0) {
      throw new TpmException(
          call
              + " failed: "
              + responseCodes.Tss2_RC_Decode(rc)
              + " (0x"
              + Integer.toHexString(rc)
              + ")",
          rc);
    }
  }
}
