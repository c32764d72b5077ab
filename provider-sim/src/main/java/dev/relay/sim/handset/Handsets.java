package dev.relay.sim.handset;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The simulated phones: one inbox per E.164 number, newest message last. Bounded twice, per inbox and
 * in the number of handsets (least recently used dropped), so a long load run keeps a steady heap.
 */
public final class Handsets {

  private final int inboxSize;
  private final Map<String, Deque<HandsetMessage>> inboxes;
  private volatile BiConsumer<String, HandsetMessage> listener = (number, message) -> { };

  public Handsets(int inboxSize, int maxHandsets) {
    this.inboxSize = inboxSize;
    this.inboxes = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Deque<HandsetMessage>> eldest) {
        return size() > maxHandsets;
      }
    };
  }

  /** The handset of {@code e164} receives a message. */
  public synchronized void receive(String e164, HandsetMessage message) {
    Deque<HandsetMessage> inbox = inboxes.computeIfAbsent(e164, number -> new ArrayDeque<>());
    inbox.addLast(message);
    while (inbox.size() > inboxSize) {
      inbox.removeFirst();
    }
    listener.accept(e164, message);
  }

  /** Told of every message a handset receives (the simulated users); must return at once. */
  public void onReceive(BiConsumer<String, HandsetMessage> listener) {
    this.listener = listener;
  }

  /** Oldest first; empty for a number that received nothing. */
  public synchronized List<HandsetMessage> messages(String e164) {
    Deque<HandsetMessage> inbox = inboxes.get(e164);
    return inbox == null ? List.of() : List.copyOf(inbox);
  }

  public synchronized void clear(String e164) {
    inboxes.remove(e164);
  }

  public synchronized void clearAll() {
    inboxes.clear();
  }
}
