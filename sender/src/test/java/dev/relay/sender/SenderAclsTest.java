package dev.relay.sender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topics;
import org.junit.jupiter.api.Test;

class SenderAclsTest {

  private static final Topics TOPICS = Topics.defaults();

  @Test
  void theSenderReadsCommandsAndWritesResultsAndDeadLettersAndNothingElse() {
    assertThat(SenderService.kafkaAcls(TOPICS, "relay-sender", "relay-sender").describeGrants()).containsExactly(
        "DESCRIBE on TOPIC relay.dead-letters",
        "DESCRIBE on TOPIC relay.send-commands",
        "DESCRIBE on TOPIC relay.send-results",
        "READ on GROUP relay-sender",
        "READ on TOPIC relay.send-commands",
        "WRITE on TOPIC relay.dead-letters",
        "WRITE on TOPIC relay.send-results",
        "WRITE on TRANSACTIONAL_ID relay-sender*");
  }
}
