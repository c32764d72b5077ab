package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.SendCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a handful of verifications through every path that touches a code (send, failover, resend,
 * wrong and right guesses, expiry) and then looks for each issued code in the raw bytes of every
 * topic the topology wrote, changelogs included, and of every file in its state directory.
 */
class NoPlaintextCodeTest {

  /** Ten digits: a six-digit code could turn up by chance inside a phone number or a timestamp. */
  private static final int CODE_LENGTH = 10;

  @TempDir
  Path stateDir;

  @Test
  void noIssuedCodeAppearsInAnyTopicOrStateFile() throws IOException {
    Set<String> codes = new LinkedHashSet<>();
    List<String> topics;
    List<byte[]> written = new ArrayList<>();
    List<Path> stateFiles;
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir, Map.of("relay.verification.code-length", Integer.toString(CODE_LENGTH)))) {
      // An approved verification after a failed receipt and a repeated start.
      bed.start("req-1");
      SendCommand first = bed.commands.readValue();
      codes.add(bed.codeOf(first));
      bed.accepted(first, 0, "sm1");
      bed.receipt("twilio", "sm1", DeliveryStatus.UNDELIVERED, null);
      bed.start("req-2");
      bed.check("check-1", first.getVerificationId(), bed.wrongGuess(first, 1));
      bed.check("check-2", first.getVerificationId(), bed.codeOf(first));
      // One that falls back to voice after rejections, then expires.
      bed.start("req-3");
      SendCommand[] commands = bed.commands.readValuesToList().toArray(SendCommand[]::new);
      SendCommand latest = commands[commands.length - 1];
      codes.add(bed.codeOf(latest));
      bed.rejected(latest, 0, false, ErrorCategory.THROTTLED);
      bed.rejected(latest, 1, true, ErrorCategory.PROVIDER_ERROR);
      bed.checkByNumber("check-3", bed.wrongGuess(latest, 2));
      bed.advance(Duration.ofMinutes(11));
      // One that ends at the guess cap.
      bed.start("req-4");
      commands = bed.commands.readValuesToList().toArray(SendCommand[]::new);
      SendCommand capped = commands[commands.length - 1];
      codes.add(bed.codeOf(capped));
      for (int guess = 1; guess <= 5; guess++) {
        bed.check("check-cap-" + guess, capped.getVerificationId(), bed.wrongGuess(capped, guess));
      }

      topics = new ArrayList<>(bed.driver.producedTopicNames());
      for (String topic : topics) {
        TestOutputTopic<byte[], byte[]> raw = bed.driver.createOutputTopic(topic, new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
        for (TestRecord<byte[], byte[]> record : raw.readRecordsToList()) {
          written.add(record.key());
          written.add(record.value());
        }
      }
      // Stores flush at every commit; the driver deletes the directory when it closes.
      try (Stream<Path> files = Files.walk(stateDir)) {
        stateFiles = files.filter(Files::isRegularFile).toList();
      }
      for (Path file : stateFiles) {
        written.add(Files.readAllBytes(file));
      }
    }
    assertThat(codes).hasSize(3);
    assertThat(topics).contains("relay.send-commands", "relay.verification-events", "relay.verification-replies",
        "relay-dispatcher-verifications-changelog");
    assertThat(written).isNotEmpty();
    // Every value a store held is also in its changelog (scanned above); RocksDB keeps recent writes
    // in memory, so the files add little here, but whatever reached them is scanned too.
    assertThat(stateFiles).as("the stores' files were scanned")
        .anyMatch(file -> file.toString().contains("verifications"));

    for (String code : codes) {
      byte[] needle = code.getBytes(StandardCharsets.US_ASCII);
      for (byte[] bytes : written) {
        assertThat(contains(bytes, needle)).as("a code in a topic record or state file").isFalse();
      }
    }
  }

  @Test
  void theScanFindsACodeWhereOneIs() {
    byte[] haystack = "prefix-0123456789-suffix".getBytes(StandardCharsets.US_ASCII);
    assertThat(contains(haystack, "0123456789".getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThat(contains(haystack, "9876543210".getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(contains(null, "1".getBytes(StandardCharsets.US_ASCII))).isFalse();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    if (haystack == null || haystack.length < needle.length) {
      return false;
    }
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
