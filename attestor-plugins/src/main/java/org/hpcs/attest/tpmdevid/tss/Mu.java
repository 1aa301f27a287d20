package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.util.Arrays;

/**
 * Converts between TPM wire format and tpm2-tss C structures with libtss2-mu's generic {@code
 * Tss2_MU_<TYPE>_Marshal} and {@code _Unmarshal} functions, so that no C structure layout is
 * written down in Java.
 */
final class Mu {
  /**
   * Bytes reserved for one C structure. The largest structure passed in here, TPM2B_PUBLIC, is
   * under 1 KiB in tpm2-tss 3.x even with a 4096-bit RSA modulus.
   */
  private static final int STRUCT_BYTES = 8192;

  /** Upper bound for the wire form of any structure read back from ESAPI. */
  private static final int WIRE_BYTES = 8192;

  private final NativeLibrary library;
  private final Tss tss;

  Mu(NativeLibrary library, Tss tss) {
    this.library = library;
    this.tss = tss;
  }

  /** Unmarshals wire bytes into freshly allocated native memory holding the C structure. */
  Memory toNative(String type, byte[] wire) throws TpmException {
    Memory struct = new Memory(STRUCT_BYTES);
    struct.clear();
    NativeLongByReference offset = new NativeLongByReference(new NativeLong(0));
    Function function = library.getFunction("Tss2_MU_" + type + "_Unmarshal");
    int rc = function.invokeInt(new Object[] {wire, new NativeLong(wire.length), offset, struct});
    tss.check(rc, "unmarshal " + type);
    if (offset.getValue().longValue() != wire.length) {
      throw new TpmException(
          type + " has " + (wire.length - offset.getValue().longValue()) + " trailing bytes", 0);
    }
    return struct;
  }

  /** Marshals a C structure that ESAPI returned into wire bytes. */
  byte[] toWire(String type, Pointer struct) throws TpmException {
    byte[] buffer = new byte[WIRE_BYTES];
    NativeLongByReference offset = new NativeLongByReference(new NativeLong(0));
    Function function = library.getFunction("Tss2_MU_" + type + "_Marshal");
    int rc =
        function.invokeInt(new Object[] {struct, buffer, new NativeLong(buffer.length), offset});
    tss.check(rc, "marshal " + type);
    return Arrays.copyOf(buffer, (int) offset.getValue().longValue());
  }
}
