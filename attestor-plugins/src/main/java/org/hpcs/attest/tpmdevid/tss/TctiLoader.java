package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Library;
import com.sun.jna.ptr.PointerByReference;

/** The TCTI loader of {@code tss2_tctildr.h}: turns a TCTI string into a transport. */
interface TctiLoader extends Library {
  int Tss2_TctiLdr_Initialize(String nameConf, PointerByReference context);

  void Tss2_TctiLdr_Finalize(PointerByReference context);
}
