package dev.relay.dlr.polling;

import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Which accepted sends still await a final receipt, and when each is due for a status poll. Accepted
 * send results of a polled vendor enter a store keyed by provider and lower-cased message id; a final
 * receipt for the same message removes them. A wall-clock punctuator walks a deadline-ordered index
 * and emits each overdue send to {@code receipt-polls}, again every interval while no final receipt
 * comes, at most {@code maxPolls} times. The poller turns those into vendor status lookups.
 *
 * <p>A final receipt can outrun its send result: it is remembered for {@code after} (in the same
 * deadline index), and a send result that finds it is never polled.
 */
public final class ReceiptPollTopology {

  public static final String SEND_RESULTS_SOURCE = "receipt-polls-send-results-source";
  public static final String RECEIPTS_SOURCE = "receipt-polls-delivery-receipts-source";
  public static final String SENDS_PROCESSOR = "receipt-polls-track-sends";
  public static final String RECEIPTS_PROCESSOR = "receipt-polls-settle-on-receipt";
  public static final String POLLS_SINK = "receipt-polls-sink";
  /** provider|message id -> the accepted send result, while it awaits its final receipt. */
  public static final String AWAITING_STORE = "receipt-polls-awaiting";
  /** deadline (epoch millis, zero-padded)|provider|message id -> polls made so far; entries of settled sends are dropped when met. */
  public static final String DEADLINES_STORE = "receipt-polls-deadlines";
  /** provider|message id -> when a final receipt came for a send not seen yet (an early receipt). */
  public static final String EARLY_RECEIPTS_STORE = "receipt-polls-early-receipts";
  /** The deadline entry's value that marks an early receipt to forget, not a send to poll. */
  private static final int FORGET_EARLY = -1;

  private ReceiptPollTopology() {}

  public static Topology build(Topics topics, PollSettings settings) {
    Topology topology = new Topology();
    topology.addSource(SEND_RESULTS_SOURCE, topics.sendResults.keySerde().deserializer(),
        topics.sendResults.valueSerde().deserializer(), topics.sendResults.name());
    topology.addSource(RECEIPTS_SOURCE, topics.deliveryReceipts.keySerde().deserializer(),
        topics.deliveryReceipts.valueSerde().deserializer(), topics.deliveryReceipts.name());
    topology.addProcessor(SENDS_PROCESSOR, () -> new TrackSends(settings), SEND_RESULTS_SOURCE);
    topology.addProcessor(RECEIPTS_PROCESSOR, () -> new SettleOnReceipt(settings), RECEIPTS_SOURCE);
    // Changelogged (the default): a restart keeps every pending poll and its schedule.
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AWAITING_STORE),
        Serdes.String(), topics.sendResults.valueSerde()), SENDS_PROCESSOR, RECEIPTS_PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINES_STORE),
        Serdes.String(), Serdes.Integer()), SENDS_PROCESSOR, RECEIPTS_PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EARLY_RECEIPTS_STORE),
        Serdes.String(), Serdes.Long()), SENDS_PROCESSOR, RECEIPTS_PROCESSOR);
    topology.addSink(POLLS_SINK, topics.receiptPolls.name(), topics.receiptPolls.keySerde().serializer(),
        topics.receiptPolls.valueSerde().serializer(), SENDS_PROCESSOR);
    return topology;
  }

  /** Store key of one provider message; send results and receipts normalize the same way. */
  static String messageKey(String provider, String providerMessageId) {
    return provider.trim().toLowerCase(Locale.ROOT) + "|" + providerMessageId.trim().toLowerCase(Locale.ROOT);
  }

  static String deadlineKey(long deadlineMillis, String messageKey) {
    return String.format(Locale.ROOT, "%013d|%s", deadlineMillis, messageKey);
  }

  /** Enters accepted sends of polled vendors and, on the punctuator, emits the overdue ones. */
  static final class TrackSends extends ContextualProcessor<String, SendResult, String, SendResult> {

    private final PollSettings settings;
    private KeyValueStore<String, SendResult> awaiting;
    private KeyValueStore<String, Integer> deadlines;
    private KeyValueStore<String, Long> earlyReceipts;
    /**
     * No deadline entry lies before this (epoch millis): a scan starts here, not at the index's head. Every
     * entry met is deleted, and RocksDB keeps a delete as a tombstone until a compaction drops it, so the head
     * is a run of tombstones a scan from it would step over one by one (the dispatcher's deadline index,
     * docs/performance.md). Lowered for a send whose first poll is already past (a late or replayed result);
     * a wall clock stepped back reads from the head once, for the early receipts' entries put meanwhile.
     */
    private long scannedUpTo;

    TrackSends(PollSettings settings) {
      this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, SendResult> context) {
      super.init(context);
      awaiting = context.getStateStore(AWAITING_STORE);
      deadlines = context.getStateStore(DEADLINES_STORE);
      earlyReceipts = context.getStateStore(EARLY_RECEIPTS_STORE);
      context.schedule(settings.scanInterval(), PunctuationType.WALL_CLOCK_TIME, this::pollDue);
    }

    @Override
    public void process(Record<String, SendResult> record) {
      SendResult send = record.value();
      if (send == null || send.getOutcome() != SendOutcome.ACCEPTED || send.getProviderMessageId() == null
          || !settings.providers().contains(send.getProvider().toLowerCase(Locale.ROOT))) {
        return;
      }
      String key = messageKey(send.getProvider(), send.getProviderMessageId());
      if (awaiting.get(key) != null) {
        // The same send reported again (a replayed command): it is scheduled already.
        return;
      }
      if (earlyReceipts.get(key) != null) {
        // Its final receipt came first: nothing to poll. The marker's deadline entry goes when met.
        earlyReceipts.delete(key);
        return;
      }
      awaiting.put(key, send);
      long firstPoll = send.getCompletedAt().plus(settings.after()).toEpochMilli();
      deadlines.put(deadlineKey(firstPoll, key), 0);
      scannedUpTo = Math.min(scannedUpTo, firstPoll);
    }

    private void pollDue(long now) {
      if (now < scannedUpTo) {
        scannedUpTo = 0;
      }
      List<KeyValue<String, Integer>> due = new ArrayList<>();
      try (KeyValueIterator<String, Integer> entries =
          deadlines.range(deadlineKey(scannedUpTo, ""), deadlineKey(now, "\uffff"))) {
        entries.forEachRemaining(due::add);
      }
      // Every entry due is deleted below; the next ones put are later than now.
      scannedUpTo = now;
      for (KeyValue<String, Integer> entry : due) {
        deadlines.delete(entry.key);
        String key = entry.key.substring(entry.key.indexOf('|') + 1);
        if (entry.value == FORGET_EARLY) {
          earlyReceipts.delete(key);
          continue;
        }
        SendResult send = awaiting.get(key);
        if (send == null) {
          continue; // settled by a final receipt since it was scheduled
        }
        int polls = entry.value + 1;
        context().forward(new Record<>(send.getTo(), send, now));
        if (polls < settings.maxPolls()) {
          deadlines.put(deadlineKey(now + settings.interval().toMillis(), key), polls);
        } else {
          awaiting.delete(key); // given up: the last poll's answer, if any, is the last word
        }
      }
    }
  }

  /** A final receipt settles its send: no poll for it any more, even when the send result is still to come. */
  static final class SettleOnReceipt extends ContextualProcessor<String, DeliveryReceipt, Void, Void> {

    private final PollSettings settings;
    private KeyValueStore<String, SendResult> awaiting;
    private KeyValueStore<String, Integer> deadlines;
    private KeyValueStore<String, Long> earlyReceipts;

    SettleOnReceipt(PollSettings settings) {
      this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      super.init(context);
      awaiting = context.getStateStore(AWAITING_STORE);
      deadlines = context.getStateStore(DEADLINES_STORE);
      earlyReceipts = context.getStateStore(EARLY_RECEIPTS_STORE);
    }

    @Override
    public void process(Record<String, DeliveryReceipt> record) {
      DeliveryReceipt receipt = record.value();
      if (receipt == null || !receipt.getFinalStatus()
          || !settings.providers().contains(receipt.getProvider().toLowerCase(Locale.ROOT))) {
        return;
      }
      String key = messageKey(receipt.getProvider(), receipt.getProviderMessageId());
      if (awaiting.get(key) != null) {
        awaiting.delete(key);
      } else if (earlyReceipts.get(key) == null) {
        long now = context().currentSystemTimeMs();
        earlyReceipts.put(key, now);
        deadlines.put(deadlineKey(now + settings.after().toMillis(), key), FORGET_EARLY);
      }
    }
  }

  /** For log lines and docs: the default schedule in words. */
  static String describe(PollSettings settings) {
    Duration last = settings.after().plus(settings.interval().multipliedBy(settings.maxPolls() - 1L));
    return "first poll " + settings.after() + " after acceptance, then every " + settings.interval()
        + ", last at " + last;
  }
}
