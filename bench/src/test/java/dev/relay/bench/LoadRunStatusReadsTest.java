package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.sim.handset.HandsetMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's status reads, against a stand-in for the API: every so many verifications one
 * read once the code is in, timed when answered 200 for that verification, counted as failed otherwise.
 */
class LoadRunStatusReadsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final CodeInbox inbox = new CodeInbox();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private volatile boolean statusAnswersAnotherVerification;
  private HttpServer api;

  @BeforeEach
  void startTheStandIn() throws IOException {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.setExecutor(Executors.newFixedThreadPool(4));
    api.createContext("/v1/verifications", this::answer);
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop(0);
  }

  @Test
  void everyNthVerificationReadsItsStatusOnceBesideTheCheckAndIsTimedWhenAnswered() {
    LoadRun load = new LoadRun(url(), inbox, "key", 0, 4);

    LoadRun.Result result = load.run(40, Duration.ofSeconds(1), 0);

    assertThat(load.approved.get()).isEqualTo(40);
    assertThat(reads.get()).isEqualTo(10);
    assertThat(load.statusReadAnswers.answered.get()).isEqualTo(10);
    assertThat(result.statusReads().getTotalCount()).isEqualTo(10);
    assertThat(load.statusReadAnswers.otherFailed.get()).isZero();
  }

  @Test
  void aStatusOfAnotherVerificationIsNoAnswerAndNotTimed() {
    statusAnswersAnotherVerification = true;
    LoadRun load = new LoadRun(url(), inbox, "key", 0, 2);

    LoadRun.Result result = load.run(20, Duration.ofSeconds(1), 0);

    assertThat(reads.get()).isEqualTo(10);
    assertThat(load.statusReadAnswers.answered.get()).isZero();
    assertThat(load.statusReadAnswers.otherFailed.get()).isEqualTo(10);
    assertThat(result.statusReads().getTotalCount()).isZero();
    assertThat(load.approved.get()).as("the checks go on beside the reads").isEqualTo(20);
  }

  @Test
  void noReadsWhenNotAsked() {
    LoadRun load = new LoadRun(url(), inbox, "key", 0, 0);

    load.run(10, Duration.ofSeconds(1), 0);

    assertThat(load.approved.get()).isEqualTo(10);
    assertThat(reads.get()).isZero();
  }

  private String url() {
    return "http://127.0.0.1:" + api.getAddress().getPort();
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/verifications")) {
      String to = JSON.readTree(exchange.getRequestBody()).get("to").asText();
      String id = "VE-" + ids.incrementAndGet();
      respond(exchange, 201, Map.of("id", id, "status", "pending"));
      inbox.received(to, new HandsetMessage("Your code is 123456", "sim", "sms", "Relay", id, Instant.now(), "123456"));
    } else if (exchange.getRequestMethod().equals("POST") && path.endsWith("/check")) {
      respond(exchange, 200, Map.of("status", "approved"));
    } else if (exchange.getRequestMethod().equals("GET")) {
      reads.incrementAndGet();
      String id = path.substring(path.lastIndexOf('/') + 1);
      respond(exchange, 200, Map.of("id", statusAnswersAnotherVerification ? id + "-other" : id, "status", "pending"));
    } else {
      respond(exchange, 404, Map.of("error", "not_found"));
    }
  }

  private static void respond(HttpExchange exchange, int status, Map<String, String> body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
