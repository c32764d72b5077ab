package dev.relay.failure;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider that accepts every message and delivers nothing (no receipt ever comes), and writes one
 * line per call to a file before it answers: {@code provider TAB idempotency key TAB number TAB
 * sha-256 of the code}. A file, not memory, so a call made by a process that is killed a moment later
 * is still counted; never the code itself.
 */
final class RecordingProvider implements ProviderClient {

  private static final Pattern CODE = Pattern.compile("([0-9]{4,10})");

  private final String name;
  private final FileChannel log;
  private final AtomicLong ids = new AtomicLong();

  RecordingProvider(String name, Path file) {
    this.name = name;
    try {
      this.log = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.SMS, Channel.VOICE);
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    Matcher code = CODE.matcher(message.text());
    String line = name + "\t" + message.idempotencyKey() + "\t" + message.to() + "\t"
        + (code.find() ? sha256(code.group(1)) : "-") + "\n";
    try {
      // One write of a short line to an O_APPEND file: whole, even when the process dies right after.
      synchronized (log) {
        log.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return CompletableFuture.completedFuture(ProviderResponse.accepted(name + "-" + ids.incrementAndGet(), null));
  }

  /** One call as written by {@link #send}. */
  record Call(String provider, String idempotencyKey, String to, String codeHash) {

    String verificationId() {
      return idempotencyKey.substring(0, idempotencyKey.lastIndexOf('-'));
    }
  }

  static List<Call> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .map(line -> line.split("\t"))
        .map(parts -> new Call(parts[0], parts[1], parts[2], parts[3]))
        .toList();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
