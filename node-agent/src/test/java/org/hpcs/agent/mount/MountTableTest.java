package org.hpcs.agent.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {
  private static final String SAMPLE =
      """
      22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
      45 22 0:40 / /run/jobs/7/output rw,nosuid shared:30 - fuse.gocryptfs \
      /var/lib/jobs/7/output.cipher rw,user_id=0,group_id=0,default_permissions
      46 22 0:41 / /run/jobs/7/my\\040dir rw - fuse.squashfuse squashfuse rw
      47 45 0:42 / /run/jobs/7/output/deeper rw master:3 unbindable - tmpfs tmpfs rw
      """;

  @Test
  void parse_gocryptfsLine_readsEveryField() throws Exception {
    MountEntry entry = MountTable.parse(SAMPLE).at(Path.of("/run/jobs/7/output")).orElseThrow();

    assertThat(entry.mountId()).isEqualTo(45);
    assertThat(entry.parentId()).isEqualTo(22);
    assertThat(entry.major()).isZero();
    assertThat(entry.minor()).isEqualTo(40);
    assertThat(entry.fsType()).isEqualTo("fuse.gocryptfs");
    assertThat(entry.source()).isEqualTo("/var/lib/jobs/7/output.cipher");
    assertThat(entry.isFuse()).isTrue();
    assertThat(entry.superOptions()).contains("default_permissions");
  }

  @Test
  void parse_octalEscape_decodesSpace() throws Exception {
    MountTable table = MountTable.parse(SAMPLE);

    assertThat(table.at(Path.of("/run/jobs/7/my dir"))).isPresent();
  }

  @Test
  void unescape_allKernelEscapes_decoded() {
    assertThat(MountTable.unescape("a\\040b\\011c\\012d\\134e")).isEqualTo("a b\tc\nd\\e");
    assertThat(MountTable.unescape("trailing\\04")).isEqualTo("trailing\\04");
  }

  @Test
  void parse_twoOptionalFields_findsSeparator() throws Exception {
    MountEntry entry =
        MountTable.parse(SAMPLE).at(Path.of("/run/jobs/7/output/deeper")).orElseThrow();

    assertThat(entry.fsType()).isEqualTo("tmpfs");
    assertThat(entry.isFuse()).isFalse();
  }

  @Test
  void under_jobDir_returnsDeepestFirst() throws Exception {
    MountTable table = MountTable.parse(SAMPLE);

    assertThat(table.under(Path.of("/run/jobs/7")))
        .extracting(e -> e.mountPoint().toString())
        .containsExactly("/run/jobs/7/output/deeper", "/run/jobs/7/my dir", "/run/jobs/7/output");
    assertThat(table.under(Path.of("/run/jobs/70"))).isEmpty();
  }

  @Test
  void parse_shortLine_rejectsWithLineNumber() {
    assertThatThrownBy(() -> MountTable.parse("22 1 8:1 / /\n"))
        .isInstanceOf(MountException.class)
        .hasMessageContaining("Invalid mountinfo line 1");
  }

  @Test
  void read_thisProcess_containsRoot() throws Exception {
    assertThat(MountTable.read().at(Path.of("/"))).isPresent();
  }

  @Test
  void deviceNumber_smallAndLargeNumbers_matchGlibcMakedev() {
    assertThat(entry(0, 40).deviceNumber()).isEqualTo(40L);
    assertThat(entry(8, 1).deviceNumber()).isEqualTo(0x801L);
    assertThat(entry(259, 300).deviceNumber()).isEqualTo(0x11032cL);
  }

  private static MountEntry entry(int major, int minor) {
    return new MountEntry(1, 0, major, minor, "/", Path.of("/x"), "rw", "ext4", "src", "rw");
  }
}
