package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.hpcs.server.testing.TwoRoundTestAttestor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrol endpoint running a multi-round verifier, with an in-process two-round attestor. */
class EnrolmentRoundsTest {
  @TempDir static Path temp;

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(temp, TestPki.create(temp));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Reply challenge(String node) throws Exception {
    return server.user(
        "POST",
        "/v1/nodes/challenge",
        null,
        Map.of("node", node, "attestor", TwoRoundTestAttestor.NAME));
  }

  private static Reply answer(String challengeId, String node, Map<String, String> fields)
      throws Exception {
    return server.user(
        "POST",
        "/v1/nodes/enrol",
        null,
        Map.of(
            "challengeId",
            challengeId,
            "node",
            node,
            "evidence",
            Map.of("attestor", TwoRoundTestAttestor.NAME, "fields", fields)));
  }

  private static Reply firstRound(String node, String claim) throws Exception {
    Reply challenge = challenge(node);
    return answer(challenge.json().path("challengeId").asText(), node, Map.of("claim", claim));
  }

  private static Map<String, String> secondRoundFields(JsonNode followUp) {
    byte[] nonce = Base64.getDecoder().decode(followUp.path("nonce").asText());
    Map<String, String> parameters = new HashMap<>();
    followUp
        .path("parameters")
        .properties()
        .forEach(e -> parameters.put(e.getKey(), e.getValue().asText()));
    return Map.of("answer", TwoRoundTestAttestor.answer(nonce, parameters));
  }

  private static List<JsonNode> audit(String node) throws Exception {
    JsonNode entries =
        server.user("GET", "/v1/audit", TestServer.ADMIN, null).json().path("entries");
    return entries.valueStream().filter(e -> e.path("node").asText().equals(node)).toList();
  }

  private static List<String> reasons(String node) throws Exception {
    return audit(node).stream()
        .filter(e -> e.path("outcome").asText().equals("denied"))
        .map(e -> e.path("reason").asText())
        .toList();
  }

  @Test
  void enrol_twoRounds_followUpThenIdentities() throws Exception {
    Reply first = firstRound("r1", "ok");

    assertThat(first.status()).as(first.text()).isEqualTo(200);
    JsonNode followUp = first.json().path("followUp");
    assertThat(followUp.path("challengeId").asText()).isNotBlank();
    assertThat(followUp.path("parameters").path("salt").asText()).isNotBlank();
    assertThat(first.json().path("spireAgentJoinToken").isNull()).isTrue();

    Reply second = answer(followUp.path("challengeId").asText(), "r1", secondRoundFields(followUp));

    assertThat(second.status()).as(second.text()).isEqualTo(200);
    assertThat(second.json().path("nodeSpiffeId").asText())
        .isEqualTo("spiffe://hpcs.test/hpcs/node/r1");
    assertThat(second.json().path("spireAgentJoinToken").asText()).isNotBlank();
    assertThat(second.json().path("followUp").isNull()).isTrue();
    assertThat(audit("r1"))
        .extracting(e -> e.path("detail").asText())
        .anySatisfy(d -> assertThat(d).contains("passed round 1", TwoRoundTestAttestor.NAME))
        .anySatisfy(d -> assertThat(d).contains("enrolled with attestor two-round-test"));
  }

  @Test
  void enrol_firstRoundRejected_deniedAndAudited() throws Exception {
    Reply reply = firstRound("r2", "bad");

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("claim-rejected");
    assertThat(reasons("r2")).containsExactly("claim-rejected");
  }

  @Test
  void enrol_wrongSecondAnswer_deniedAndAudited() throws Exception {
    JsonNode followUp = firstRound("r3", "ok").json().path("followUp");

    Reply reply =
        answer(followUp.path("challengeId").asText(), "r3", Map.of("answer", "0".repeat(64)));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("answer-wrong");
    assertThat(reasons("r3")).containsExactly("answer-wrong");
    assertThat(server.spire().nodeEntries()).doesNotContain("r3");
  }

  @Test
  void enrol_followUpAnsweredTwice_replayDenied() throws Exception {
    JsonNode followUp = firstRound("r4", "ok").json().path("followUp");
    Map<String, String> fields = secondRoundFields(followUp);
    String id = followUp.path("challengeId").asText();
    assertThat(answer(id, "r4", fields).status()).isEqualTo(200);

    Reply replay = answer(id, "r4", fields);

    assertThat(replay.status()).isEqualTo(403);
    assertThat(replay.error()).isEqualTo("challenge-replayed");
    assertThat(reasons("r4")).containsExactly("challenge-replayed");
  }

  @Test
  void enrol_followUpExpired_denied() throws Exception {
    JsonNode followUp = firstRound("r5", "ok").json().path("followUp");
    server.clock().advance(Duration.ofMinutes(3));

    Reply reply = answer(followUp.path("challengeId").asText(), "r5", secondRoundFields(followUp));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("challenge-expired");
    assertThat(reasons("r5")).containsExactly("challenge-expired");
  }

  @Test
  void enrol_followUpForOtherNode_denied() throws Exception {
    JsonNode followUp = firstRound("r6", "ok").json().path("followUp");

    Reply reply = answer(followUp.path("challengeId").asText(), "r7", secondRoundFields(followUp));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("challenge-node-mismatch");
  }

  @Test
  void enrol_verifierAsksEndlessRounds_stoppedAtMaximum() throws Exception {
    Reply reply = firstRound("r8", "loop");
    for (int round = 2; round <= EnrolmentService.MAX_ROUNDS; round++) {
      assertThat(reply.status()).as(reply.text()).isEqualTo(200);
      String id = reply.json().path("followUp").path("challengeId").asText();
      reply = answer(id, "r8", Map.of("claim", "loop"));
    }

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("too-many-rounds");
    assertThat(reasons("r8")).containsExactly("too-many-rounds");
  }

  @Test
  void challenge_firstRound_hasNoParameters() throws Exception {
    Reply reply = challenge("r9");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("parameters").isEmpty()).isTrue();
    assertThat(reply.json().path("nonce").asText()).isNotBlank();
  }
}
