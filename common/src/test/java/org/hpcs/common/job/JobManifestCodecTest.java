package org.hpcs.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobManifestCodecTest {
  private static final String VALID =
      """
      {"schemaVersion":1,"image":"image.manifest.json",
       "data":["data.manifest.json","/srv/b/genome.manifest.json"]}
      """;

  @TempDir Path dir;

  private static JobManifest parse(String json) throws JobManifestException {
    return JobManifestCodec.parse(json.getBytes(StandardCharsets.UTF_8), "job.json");
  }

  private static String error(String json) {
    return assertThrows(JobManifestException.class, () -> parse(json)).getMessage();
  }

  @Test
  void parse_validManifest_keepsPathsInOrder() throws Exception {
    JobManifest manifest = parse(VALID);

    assertThat(manifest.schemaVersion()).isEqualTo(1);
    assertThat(manifest.image()).isEqualTo("image.manifest.json");
    assertThat(manifest.data())
        .containsExactly("data.manifest.json", "/srv/b/genome.manifest.json");
  }

  @Test
  void parse_unknownField_namesField() {
    String message =
        error("{\"schemaVersion\":1,\"image\":\"i.manifest.json\",\"data\":[],\"env\":{}}");

    assertThat(message).contains("job.json").contains("unknown field \"env\"");
  }

  @Test
  void parse_duplicateField_rejected() {
    String message =
        error(
            "{\"schemaVersion\":1,\"image\":\"a.manifest.json\",\"image\":\"b.manifest.json\","
                + "\"data\":[]}");

    assertThat(message).contains("image");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"image\":\"i.manifest.json\",\"data\":[]}|schemaVersion",
        "{\"schemaVersion\":1,\"data\":[]}|image",
        "{\"schemaVersion\":1,\"image\":\"i.manifest.json\"}|data",
        "{\"schemaVersion\":1,\"image\":null,\"data\":[]}|image",
        "{\"schemaVersion\":1,\"image\":\"i.manifest.json\",\"data\":\"d.manifest.json\"}|data",
        "{\"schemaVersion\":\"1\",\"image\":\"i.manifest.json\",\"data\":[]}|schemaVersion",
        "{\"schemaVersion\":1.0,\"image\":\"i.manifest.json\",\"data\":[]}|schemaVersion",
        "{\"schemaVersion\":1,\"image\":7,\"data\":[]}|image",
        "{\"schemaVersion\":1,\"image\":\"i.manifest.json\",\"data\":[true]}|data"
      })
  void parse_missingNullOrMistypedField_namesField(String json, String field) {
    String message = error(json);

    assertThat(message).contains("\"" + field);
  }

  @Test
  void parse_badValues_reportsEveryProblem() {
    String message =
        error(
            "{\"schemaVersion\":2,\"image\":\"image.age\","
                + "\"data\":[\"d.manifest.json\",\"d.manifest.json\",\"\"]}");

    assertThat(message).contains("schemaVersion is 2");
    assertThat(message).contains("image \"image.age\" must name a bundle manifest");
    assertThat(message).contains("data[1] \"d.manifest.json\" is listed twice");
    assertThat(message).contains("data[2] is empty");
  }

  @Test
  void parse_controlCharacterInPath_rejected() {
    String message = error("{\"schemaVersion\":1,\"image\":\"a\\nb.manifest.json\",\"data\":[]}");

    assertThat(message).contains("control characters");
  }

  @Test
  void parse_notJsonOrTrailingContent_rejected() {
    assertThat(error("image=x")).contains("not valid JSON");
    assertThat(error(VALID + " {}")).contains("job.json");
    assertThat(error("null")).contains("null");
  }

  @Test
  void read_fileOverLimit_rejectedBeforeParsing() throws Exception {
    Path file = dir.resolve("big.json");
    Files.write(file, new byte[JobManifestCodec.MAX_BYTES + 1]);

    JobManifestException e =
        assertThrows(JobManifestException.class, () -> JobManifestCodec.read(file));

    assertThat(e.getMessage()).contains(file.toString()).contains("larger than 65536 bytes");
  }

  @Test
  void toJson_thenRead_roundTrips() throws Exception {
    JobManifest manifest = JobManifest.of("image.manifest.json", List.of("data.manifest.json"));
    Path file = Files.write(dir.resolve("job.json"), JobManifestCodec.toJson(manifest));

    assertThat(JobManifestCodec.read(file)).isEqualTo(manifest);
    assertThat(Files.readString(file)).endsWith("\n").contains("\"schemaVersion\" : 1");
  }

  @Test
  void toJson_invalidPath_rejected() {
    JobManifest manifest = JobManifest.of("image.sif", List.of());

    assertThrows(JobManifestException.class, () -> JobManifestCodec.toJson(manifest));
  }

  @Test
  void resolve_relativeAndAbsolutePaths_againstManifestDirectory() throws Exception {
    Path jobFile = dir.resolve("jobs/run1.job.json");
    JobManifest manifest =
        JobManifest.of(
            "../bundles/image.manifest.json",
            List.of("data.manifest.json", "/srv/g.manifest.json"));

    JobBundles bundles = manifest.resolve(jobFile);

    assertThat(bundles.jobManifest()).isEqualTo(jobFile);
    assertThat(bundles.image().manifest())
        .isEqualTo(dir.resolve("jobs/../bundles/image.manifest.json"));
    assertThat(bundles.image().ciphertext()).isEqualTo(dir.resolve("jobs/../bundles/image.age"));
    assertThat(bundles.data())
        .extracting(JobBundle::manifest)
        .containsExactly(dir.resolve("jobs/data.manifest.json"), Path.of("/srv/g.manifest.json"));
    assertThat(bundles.data()).extracting(JobBundle::ciphertext).endsWith(Path.of("/srv/g.age"));
  }

  @Test
  void resolve_relativeJobManifestPath_usesAbsoluteDirectory() {
    JobBundles bundles =
        JobManifest.of("image.manifest.json", List.of()).resolve(Path.of("job.json"));

    assertThat(bundles.image().manifest()).isAbsolute();
    assertThat(bundles.image().manifest().getParent()).isEqualTo(Path.of("").toAbsolutePath());
  }
}
