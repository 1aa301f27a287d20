package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackEnvTest {

  private static final Path SOURCE = Path.of("/run/hpcs-test/stack.env");

  @Test
  void parse_keyValueLines_returnsValues() {
    StackEnv env =
        StackEnv.parse(SOURCE, List.of("BAO_ADDR=http://127.0.0.1:8200", "SSH_PORT=2222"));

    assertThat(env.require("BAO_ADDR")).isEqualTo("http://127.0.0.1:8200");
    assertThat(env.require("SSH_PORT")).isEqualTo("2222");
  }

  @Test
  void parse_commentsAndBlankLines_areSkipped() {
    StackEnv env = StackEnv.parse(SOURCE, List.of("# written by hpcs-cluster", "", "   ", "A=1"));

    assertThat(env.values()).containsOnlyKeys("A");
  }

  @Test
  void parse_quotedValues_loseTheirQuotes() {
    StackEnv env =
        StackEnv.parse(
            SOURCE, List.of("S='the registry refused: pip'", "D=\"two words\"", "H='half"));

    assertThat(env.require("S")).isEqualTo("the registry refused: pip");
    assertThat(env.require("D")).isEqualTo("two words");
    assertThat(env.require("H")).isEqualTo("'half");
  }

  @Test
  void parse_valueWithEqualsSign_keepsEverythingAfterTheFirst() {
    StackEnv env = StackEnv.parse(SOURCE, List.of("PG_JDBC_URL=jdbc:postgresql://h/db?a=b"));

    assertThat(env.require("PG_JDBC_URL")).isEqualTo("jdbc:postgresql://h/db?a=b");
  }

  @Test
  void parse_exportPrefixAndRepeatedKey_lastValueWins() {
    StackEnv env = StackEnv.parse(SOURCE, List.of("export A=1", "A=2"));

    assertThat(env.require("A")).isEqualTo("2");
  }

  @Test
  void parse_malformedLine_namesLineNumberAndFile() {
    assertThatThrownBy(() -> StackEnv.parse(SOURCE, List.of("A=1", "not a pair")))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining("Line 2")
        .hasMessageContaining(SOURCE.toString())
        .hasMessageContaining("not a pair");
  }

  @Test
  void parse_keyStartingWithDigit_isRejected() {
    assertThatThrownBy(() -> StackEnv.parse(SOURCE, List.of("1A=x")))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining("Line 1");
  }

  @Test
  void require_missingKey_namesKeyFileAndFix() {
    StackEnv env = StackEnv.parse(SOURCE, List.of("A=1"));

    assertThatThrownBy(() -> env.require("BAO_ADDR"))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining("BAO_ADDR")
        .hasMessageContaining(SOURCE.toString())
        .hasMessageContaining("hpcs-cluster up");
  }

  @Test
  void find_emptyValue_isAbsent() {
    StackEnv env = StackEnv.parse(SOURCE, List.of("SPIRE_AGENT_ID_N1="));

    assertThat(env.find("SPIRE_AGENT_ID_N1")).isEmpty();
    assertThatThrownBy(() -> env.require("SPIRE_AGENT_ID_N1"))
        .isInstanceOf(TestClusterException.class);
  }

  @Test
  void load_existingFile_parsesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("stack.env");
    Files.writeString(file, "# c\nHPCS_TRUST_DOMAIN=hpcs.test\n", StandardCharsets.UTF_8);

    StackEnv env = StackEnv.load(file);

    assertThat(env.source()).isEqualTo(file);
    assertThat(env.require("HPCS_TRUST_DOMAIN")).isEqualTo("hpcs.test");
  }

  @Test
  void load_missingFile_tellsHowToStartTheStack(@TempDir Path dir) {
    Path file = dir.resolve("absent.env");

    assertThatThrownBy(() -> StackEnv.load(file))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("hpcs-cluster up");
  }
}
