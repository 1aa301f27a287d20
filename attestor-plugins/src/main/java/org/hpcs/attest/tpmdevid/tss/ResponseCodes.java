package org.hpcs.attest.tpmdevid.tss;

import com.sun.jna.Library;

/** {@code Tss2_RC_Decode} from libtss2-rc: a readable text for a TSS2 response code. */
interface ResponseCodes extends Library {
  String Tss2_RC_Decode(int responseCode);
}
