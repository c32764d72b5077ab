package dev.relay.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.kafka.embedded.HangingTransactions.Open;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.junit.jupiter.api.Test;

/** An open transaction is ended the way its coordinator decided, never the other way. */
class HangingTransactionsTest {

  private static final TopicPartition RESULTS_0 = new TopicPartition("relay.send-results", 0);
  private static final Open OPEN = new Open(RESULTS_0, 2, (short) 117, 0, 95);

  @Test
  void aTransactionPreparedForCommitIsCommitted() {
    // Transactions V2 write the Prepare record at the bumped epoch, V1 at the transaction's own.
    assertThat(HangingTransactions.decision(OPEN, List.of(prepared(118, 2, 2, RESULTS_0))))
        .isEqualTo(TransactionResult.COMMIT);
    assertThat(HangingTransactions.decision(OPEN, List.of(prepared(117, 2, 1, RESULTS_0))))
        .isEqualTo(TransactionResult.COMMIT);
  }

  @Test
  void aTransactionPreparedForAbortIsAborted() {
    assertThat(HangingTransactions.decision(OPEN, List.of(prepared(118, 3, 2, RESULTS_0))))
        .isEqualTo(TransactionResult.ABORT);
  }

  @Test
  void theNextTransactionAtTheBumpedEpochIsNotTakenForTheOneThatCommitted() {
    // Open at 118 under V2: the commit prepared at 118 ended the transaction of epoch 117, not this one.
    Open next = new Open(RESULTS_0, 2, (short) 118, 0, 96);
    assertThat(HangingTransactions.decision(next, List.of(prepared(118, 2, 2, RESULTS_0))))
        .isEqualTo(TransactionResult.ABORT);
  }

  @Test
  void onlyThePrepareThatNamesThePartitionAtThatTransactionsEndCounts() {
    List<TransactionLogValue> others = List.of(
        prepared(116, 2, 2, RESULTS_0),                                   // an earlier transaction
        prepared(118, 2, 2, new TopicPartition("relay.send-results", 1)), // another partition
        prepared(120, 2, 2, RESULTS_0));                                  // a later transaction
    assertThat(HangingTransactions.decision(OPEN, others)).isEqualTo(TransactionResult.ABORT);
  }

  @Test
  void theLatestDecisionWins() {
    assertThat(HangingTransactions.decision(OPEN, List.of(prepared(118, 3, 2, RESULTS_0), prepared(118, 2, 2, RESULTS_0))))
        .isEqualTo(TransactionResult.COMMIT);
  }

  private static TransactionLogValue prepared(int epoch, int status, int transactionVersion, TopicPartition partition) {
    return new TransactionLogValue()
        .setProducerId(2)
        .setClientTransactionVersion((short) transactionVersion)
        .setProducerEpoch((short) epoch)
        .setTransactionStatus((byte) status)
        .setTransactionPartitions(List.of(new TransactionLogValue.PartitionsSchema()
            .setTopic(partition.topic()).setPartitionIds(List.of(partition.partition()))));
  }
}
