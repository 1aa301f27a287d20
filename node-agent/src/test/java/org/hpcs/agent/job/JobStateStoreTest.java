package org.hpcs.agent.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStateStoreTest {
  @TempDir Path dir;

  @Test
  void save_thenLoad_sameState() throws Exception {
    JobStateStore store = new JobStateStore(dir.resolve("jobs"));
    JobState state =
        JobState.announced(12, "n1", Optional.of(1001L), Instant.parse("2026-01-01T00:00:00Z"))
            .withStep(3, true, Instant.parse("2026-01-01T00:00:01Z"));

    store.save(state);

    assertThat(store.loadAll()).containsExactly(state);
  }

  @Test
  void save_modes_dir0700File0600() throws Exception {
    Path jobs = dir.resolve("jobs");
    JobStateStore store = new JobStateStore(jobs);

    store.save(JobState.announced(12, "n1", Optional.empty(), Instant.now()));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobs)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.fileOf(12))))
        .isEqualTo("rw-------");
    try (var files = Files.list(jobs)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("12.json");
    }
  }

  @Test
  void loadAll_corruptFile_movedAsideOthersLoaded() throws Exception {
    JobStateStore store = new JobStateStore(dir.resolve("jobs"));
    store.save(JobState.announced(1, "n1", Optional.empty(), Instant.now()));
    Files.writeString(dir.resolve("jobs/2.json"), "{\"jobId\": 2, \"node\":");

    List<JobState> states = store.loadAll();

    assertThat(states).extracting(JobState::jobId).containsExactly(1L);
    assertThat(dir.resolve("jobs/2.json.corrupt")).exists();
    assertThat(dir.resolve("jobs/2.json")).doesNotExist();
  }

  @Test
  void delete_missingFile_ignored() throws Exception {
    JobStateStore store = new JobStateStore(dir.resolve("jobs"));

    store.delete(77);

    assertThat(store.loadAll()).isEmpty();
  }
}
