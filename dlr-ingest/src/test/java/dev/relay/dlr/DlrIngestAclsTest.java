package dev.relay.dlr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topics;
import org.junit.jupiter.api.Test;

class DlrIngestAclsTest {

  private static final Topics TOPICS = Topics.defaults();

  @Test
  void withoutPollingItWritesReceiptsAndNothingElse() {
    assertThat(DlrIngestService.kafkaAcls(TOPICS, false, "relay-dlr").describeGrants()).containsExactly(
        "DESCRIBE on TOPIC relay.delivery-receipts",
        "WRITE on TOPIC relay.delivery-receipts");
  }

  @Test
  void withPollingItAlsoReadsThePollsTheDispatcherAsksForAndNoSendResult() {
    assertThat(DlrIngestService.kafkaAcls(TOPICS, true, "relay-dlr").describeGrants()).containsExactly(
        "DESCRIBE on TOPIC relay.delivery-receipts",
        "DESCRIBE on TOPIC relay.receipt-polls",
        "READ on GROUP relay-dlr-poller",
        "READ on TOPIC relay.receipt-polls",
        "WRITE on TOPIC relay.delivery-receipts");
  }
}
