package org.hpcs.attest.sevsnp.guest;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Requests an attestation report with the SNP_GET_REPORT ioctl of the Linux SEV guest driver
 * ({@code include/uapi/linux/sev-guest.h}).
 */
public final class SevGuestDevice {
  /** {@code _IOWR('S', 0x0, struct snp_guest_request_ioctl)}; the struct is 32 bytes. */
  private static final long SNP_GET_REPORT = 0xC0205300L;

  private static final int O_RDWR = 2;
  private static final int REQUEST_SIZE = 96;
  private static final int RESPONSE_SIZE = 4000;
  private static final int IOCTL_SIZE = 32;
  private static final int REPORT_OFFSET = 0x20;
  private static final int REPORT_SIZE = 0x4A0;

  private final Path device;

  /** Uses the given device node, normally {@code /dev/sev-guest}. */
  public SevGuestDevice(Path device) {
    this.device = Objects.requireNonNull(device, "device must not be null");
  }

  /**
   * Requests a report carrying {@code reportData} from the given VMPL.
   *
   * @throws IOException when the device cannot be opened or the firmware rejects the request
   */
  public byte[] report(byte[] reportData, int vmpl) throws IOException {
    if (reportData.length != 64) {
      throw new IllegalArgumentException("report data must be 64 bytes");
    }
    LibC libc = Native.load("c", LibC.class);
    int fd = libc.open(device.toString(), O_RDWR);
    if (fd < 0) {
      throw new IOException("cannot open " + device + ": errno " + Native.getLastError());
    }
    try (Memory request = new Memory(REQUEST_SIZE);
        Memory response = new Memory(RESPONSE_SIZE);
        Memory ioctl = new Memory(IOCTL_SIZE)) {
      request.clear();
      response.clear();
      ioctl.clear();
      request.write(0, reportData, 0, 64);
      request.setInt(64, vmpl);
      ioctl.setByte(0, (byte) 1);
      ioctl.setPointer(8, request);
      ioctl.setPointer(16, response);
      if (libc.ioctl(fd, new NativeLong(SNP_GET_REPORT), ioctl) < 0) {
        throw new IOException(
            "SNP_GET_REPORT on "
                + device
                + " failed: errno "
                + Native.getLastError()
                + ", firmware error 0x"
                + Long.toHexString(ioctl.getLong(24)));
      }
      return responseReport(response);
    } finally {
      libc.close(fd);
    }
  }

  private byte[] responseReport(Memory response) throws IOException {
    int status = response.getInt(0);
    int size = response.getInt(4);
    if (status != 0 || size != REPORT_SIZE) {
      throw new IOException(
          "SNP_GET_REPORT on " + device + " returned status " + status + ", report size " + size);
    }
    return response.getByteArray(REPORT_OFFSET, REPORT_SIZE);
  }

  /** The libc calls this class needs. */
  interface LibC extends Library {
    int open(String path, int flags);

    int ioctl(int fd, NativeLong request, Pointer argument);

    int close(int fd);
  }
}
