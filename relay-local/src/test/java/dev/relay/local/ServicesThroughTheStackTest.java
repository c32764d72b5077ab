package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.api.VerificationApiService;
import dev.relay.api.http.ApiKeys;
import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services (tenants) through the running stack and the simulator, driven through the public API: an
 * operator creates and reads services on the admin endpoints, and a start by a service's key sends a
 * code of the service's length in a message with the service's name, refuses a channel the service
 * does not allow, and is invisible to a key of no service.
 */
@Tag("integration")
class ServicesThroughTheStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration STACK_WAIT = Duration.ofSeconds(60);
  /** A send and its arrival at the handset through Kafka and the simulator, on a busy machine. */
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(20);
  /** Known before the stack starts, as an operator writes it into the keys' configuration. */
  private static final String SHOP = "svc_shop000000000001";
  private static final ApiKeys.GeneratedKey SHOP_KEY = ApiKeys.generate("shop-web");

  @TempDir static Path dataDir;
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    LocalSecrets secrets = LocalSecrets.loadOrCreate(dataDir);
    String keys = ApiKeys.settingEntry(LocalSecrets.API_KEY_NAME, secrets.get(LocalSecrets.API_KEY)) + ","
        + SHOP_KEY.settingEntry() + ":" + SHOP;
    LocalStackSettings settings = new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick());
    stack = new LocalStack(settings, Map.of(VerificationApiService.NAME, Map.of("relay.api.keys", keys)));
    stack.start();
    await().atMost(STACK_WAIT).until(stack::isReady);
    // The shop's service, stored as the admin endpoints store one, under the id its key names.
    Topic<String, VerificationService> topic = Topics.defaults().services;
    VerificationService shop = VerificationService.newBuilder()
        .setServiceId(SHOP).setFriendlyName("Shopfront").setCodeLength(8).setExpiryMillis(Duration.ofMinutes(5).toMillis())
        .setMaxChecks(3).setMaxSends(3).setChannels(List.of(Channel.SMS)).setTemplates(Map.of())
        .setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).setUpdatedBy("test").build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(KafkaAccess.plaintext(stack.bootstrapServers()), "test-services"),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic.name(), SHOP, topic.valueSerde().serializer().serialize(topic.name(), shop)))
          .get();
    }
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void anOperatorCreatesReadsAndUpdatesAServiceOnTheAdminEndpoints() throws Exception {
    HttpResponse<String> created = send("POST", "/v1/admin/services", stack.adminKey(),
        "{\"friendlyName\": \"Bank\", \"codeLength\": 7, \"channels\": [\"sms\", \"voice\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = JSON.readTree(created.body()).get("id").asText();

    HttpResponse<String> updated = send("POST", "/v1/admin/services/" + id, stack.adminKey(), "{\"maxSends\": 2}");
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    JsonNode read = JSON.readTree(send("GET", "/v1/admin/services/" + id, stack.adminKey(), null).body());
    assertThat(read.get("codeLength").asInt()).isEqualTo(7);
    assertThat(read.get("maxSends").asInt()).isEqualTo(2);
    JsonNode list = JSON.readTree(send("GET", "/v1/admin/services", stack.adminKey(), null).body()).get("services");
    assertThat(list).extracting(service -> service.get("id").asText()).contains(id, SHOP);
    HttpResponse<String> bad = send("POST", "/v1/admin/services", stack.adminKey(), "{\"friendlyName\": \"X\", \"codeLength\": 11}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(send("GET", "/v1/admin/services", SHOP_KEY.key(), null).statusCode()).as("not with an API key").isEqualTo(401);
  }

  @Test
  void aServicesKeyGetsTheServicesCodeLengthAndNameAndOnlyItsChannels() throws Exception {
    String number = "+4915198762001";

    HttpResponse<String> started = send("POST", "/v1/verifications", SHOP_KEY.key(), "{\"to\": \"" + number + "\"}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode verification = JSON.readTree(started.body());
    String id = verification.get("id").asText();
    assertThat(Duration.between(Instant.parse(verification.get("createdAt").asText()),
        Instant.parse(verification.get("expiresAt").asText()))).isEqualTo(Duration.ofMinutes(5));
    await().atMost(DELIVERY_WAIT).until(() -> inbox(number).size() >= 1);
    JsonNode message = inbox(number).get(0);
    assertThat(message.get("code").asText()).hasSize(8);
    assertThat(message.get("text").asText()).contains("Shopfront");

    HttpResponse<String> voice = send("POST", "/v1/verifications", SHOP_KEY.key(),
        "{\"to\": \"+4915198762002\", \"channel\": \"voice\"}");
    assertThat(voice.statusCode()).as(voice.body()).isEqualTo(400);
    assertThat(JSON.readTree(voice.body()).get("error").asText()).isEqualTo("channel_not_allowed");
    assertThat(send("GET", "/v1/verifications/" + id, stack.apiKey(), null).statusCode())
        .as("a key of no service does not see the service's verification").isEqualTo(404);

    HttpResponse<String> check = send("POST", "/v1/verifications/" + id + "/check", SHOP_KEY.key(),
        "{\"code\": \"" + message.get("code").asText() + "\"}");
    assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
    assertThat(JSON.readTree(check.body()).get("status").asText()).isEqualTo("approved");
  }

  private static JsonNode inbox(String number) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.simUrl() + "/sim/handsets/" + number + "/messages"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  private static HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + key);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
