/** Native access to the Linux SEV guest driver ({@code /dev/sev-guest}) through JNA. */
package org.hpcs.attest.sevsnp.guest;
