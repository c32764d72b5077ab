package dev.relay.dispatcher.topology;

import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.NumberSends;
import dev.relay.schemas.state.VerificationState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code number-sends} store of the versions before the number's sends moved into its state
 * ({@code VerificationState} v8): what an upgraded dispatcher finds there is moved into the states once,
 * when a task starts, so an upgrade forgets no send a per-number limit still counts. The store stays
 * in the topology, empty, for deployments upgraded later.
 */
final class LegacyNumberSends {

  private static final Logger LOG = LoggerFactory.getLogger(LegacyNumberSends.class);
  private static final Comparator<NumberSend> OLDEST_FIRST = Comparator.comparingLong(NumberSend::getAt);

  private LegacyNumberSends() {}

  /**
   * Adds each number's sends from the legacy store to the number's state and empties the store. A number
   * without a state has no send a limit still counts (a state outlives the sends it made by the longest
   * window), so its entry just goes.
   */
  static void moveInto(KeyValueStore<String, NumberSends> legacy, KeyValueStore<String, VerificationState> verifications) {
    List<String> moved = new ArrayList<>();
    try (KeyValueIterator<String, NumberSends> entries = legacy.all()) {
      while (entries.hasNext()) {
        KeyValue<String, NumberSends> entry = entries.next();
        moved.add(entry.key);
        VerificationState state = verifications.get(entry.key);
        if (state != null && entry.value != null) {
          state.setNumberSends(merged(state.getNumberSends(), entry.value.getSends()));
          verifications.put(entry.key, state);
        }
      }
    }
    moved.forEach(legacy::delete);
    if (!moved.isEmpty()) {
      LOG.info("moved the send history of {} number(s) from the number-sends store into their states", moved.size());
    }
  }

  private static List<NumberSend> merged(List<NumberSend> current, List<NumberSend> legacy) {
    Set<NumberSend> all = new LinkedHashSet<>(legacy);
    all.addAll(current);
    List<NumberSend> sorted = new ArrayList<>(all);
    sorted.sort(OLDEST_FIRST);
    return sorted;
  }
}
