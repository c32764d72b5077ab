package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.config.ApiConfig;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.sender.config.SenderConfig;
import dev.relay.sim.config.SimConfig;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.ProvisionTopicsMain;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * We cannot run Docker here, so this keeps docker-compose.yml honest: every Relay service in it
 * starts a real main class, and every variable it sets is a key that service reads, with every
 * required key set.
 */
class ComposeFileTest {

  private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
  private static Map<String, Map<String, Object>> services;
  /** Read by logback.xml (relay-support), not by a service's config schema. */
  private static final List<String> LOGGING_VARIABLES = List.of("RELAY_LOG_FORMAT", "RELAY_LOG_LEVEL");
  private static final Path OPS = Path.of("..", "ops");

  static Stream<Arguments> relayServices() {
    return Stream.of(
        Arguments.of("relay-topics", ProvisionTopicsMain.SCHEMA),
        Arguments.of("relay-acls", dev.relay.local.acl.ProvisionAclsMain.SCHEMA),
        Arguments.of("provider-sim", SimConfig.SCHEMA),
        Arguments.of("dlr-ingest", DlrConfig.SCHEMA),
        Arguments.of("dispatcher-stream", DispatcherConfig.SCHEMA),
        Arguments.of("sender", SenderConfig.SCHEMA),
        Arguments.of("scoring-stream", ScoringConfig.SCHEMA),
        Arguments.of("verification-api", ApiConfig.SCHEMA));
  }

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws Exception {
    try (Reader reader = Files.newBufferedReader(COMPOSE)) {
      Map<String, Object> compose = new Yaml().load(reader);
      services = (Map<String, Map<String, Object>>) compose.get("services");
    }
  }

  @Test
  void composeRunsTheBrokerAndEveryRelayService() {
    assertThat(services).containsKeys("kafka", "relay-topics", "provider-sim", "dlr-ingest",
        "dispatcher-stream", "sender", "scoring-stream", "verification-api");
    assertThat(String.valueOf(services.get("kafka").get("image"))).startsWith("apache/kafka:");
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusAndGrafanaAreProvisionedFromFilesThatExistAndParse() throws Exception {
    assertThat(services).containsKeys("prometheus", "grafana");
    for (String service : List.of("prometheus", "grafana")) {
      for (Object volume : (List<Object>) services.get(service).get("volumes")) {
        String source = String.valueOf(volume).split(":")[0];
        if (source.startsWith("./")) {
          assertThat(Path.of("..").resolve(source)).as("%s mounts %s", service, source).exists();
        }
      }
    }
    Map<String, Object> prometheus = yaml(OPS.resolve("prometheus/prometheus.yml"));
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");
    List<String> targets = jobs.stream()
        .flatMap(job -> ((List<Map<String, Object>>) job.get("static_configs")).stream())
        .flatMap(config -> ((List<String>) config.get("targets")).stream()).toList();
    for (String service : List.of("verification-api", "dispatcher-stream", "sender", "dlr-ingest", "scoring-stream")) {
      Map<String, Object> env = (Map<String, Object>) services.get(service).get("environment");
      assertThat(targets).as("Prometheus scrapes %s on its management port", service)
          .contains(service + ":" + env.get("RELAY_MANAGEMENT_PORT"));
    }

    Map<String, Object> rules = yaml(OPS.resolve("prometheus/alerts.yml"));
    List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
    List<String> alerts = groups.stream()
        .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream())
        .filter(rule -> rule.containsKey("alert"))
        .map(rule -> String.valueOf(rule.get("alert"))).toList();
    assertThat(alerts).containsExactlyInAnyOrder("RelayDeliveryRateDrop", "RelayFailoverStorm");

    assertThat(yaml(OPS.resolve("grafana/provisioning/datasources/prometheus.yml"))).containsKey("datasources");
    assertThat(yaml(OPS.resolve("grafana/provisioning/dashboards/relay.yml"))).containsKey("providers");
    com.fasterxml.jackson.databind.JsonNode dashboard =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(OPS.resolve("grafana/dashboards/relay.json").toFile());
    assertThat(dashboard.get("uid").asText()).isEqualTo("relay-overview");
    StringBuilder queries = new StringBuilder();
    dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(target -> queries.append(target.get("expr").asText())));
    // The metrics issue 7 names, each on the dashboard, split by provider and country where they carry them.
    assertThat(queries.toString()).contains("relay_submissions_total", "relay_dlr_receipts_total", "relay_delivery_outcomes_total",
        "relay_verification_time_to_verify_seconds_bucket", "relay_delivery_time_seconds_bucket", "relay_failovers_total",
        "relay_checks_total", "relay_refusals_total", "relay_sends_dispatched_total", "relay_verification_cost_usd_sum",
        "http_server_requests_seconds", "kafka_consumer_fetch_manager_records_lag_max", "by (provider, country)");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    try (Reader reader = Files.newBufferedReader(file)) {
      return (Map<String, Object>) new Yaml().load(reader);
    }
  }

  @ParameterizedTest
  @MethodSource("relayServices")
  void theCommandIsARealMainClass(String service, ConfigSchema schema) throws Exception {
    @SuppressWarnings("unchecked")
    List<String> command = (List<String>) services.get(service).get("command");
    Method main = Class.forName(command.get(0)).getMethod("main", String[].class);

    assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
  }

  @ParameterizedTest
  @MethodSource("relayServices")
  void everyVariableIsAKeyOfThatServiceAndTheConfigValidates(String service, ConfigSchema schema) {
    Map<String, String> env = environment(service);

    for (String variable : env.keySet()) {
      if (LOGGING_VARIABLES.contains(variable)) {
        continue;
      }
      // Kafka client properties are checked by name when the config loads, below.
      boolean clientProperty = schema.prefixes().stream().anyMatch(prefix -> variable.startsWith(prefix.envPrefix()));
      assertThat(schema.findByEnvName(variable).isPresent() || clientProperty)
          .as("%s sets %s, which it does not read", service, variable)
          .isTrue();
    }
    // Load exactly as the container would, with placeholder values for ${...} secrets.
    RelayConfig config = RelayConfig.load(schema, env, new String[0]);
    for (ConfigKey key : schema.keys()) {
      if (key.isRequired()) {
        assertThat(config.find(key)).as("%s must set %s", service, key.envName()).isPresent();
      }
    }
  }

  @Test
  void theApiRequiresKeysAndHoldsNoCodeKey() {
    Map<String, Object> api = declared("verification-api");

    assertThat(String.valueOf(api.get("RELAY_API_KEYS"))).as("compose refuses to start the API without keys")
        .startsWith("${RELAY_API_KEYS:?");
    assertThat(api).doesNotContainKeys("RELAY_API_ALLOW_UNAUTHENTICATED", "RELAY_SECRETS_CODE_ENCRYPTION_KEYS",
        "RELAY_SECRETS_CODE_HMAC_KEYS");
    assertThat(declared("dispatcher-stream").get("RELAY_SECRETS_GUESS_ENCRYPTION_KEYS"))
        .isEqualTo(api.get("RELAY_SECRETS_GUESS_ENCRYPTION_KEYS"));
  }

  @Test
  void theSenderOpensCodesWithTheDispatchersKeyAndHoldsNoOtherSecret() {
    Map<String, Object> sender = declared("sender");

    assertThat(sender.get("RELAY_SECRETS_CODE_ENCRYPTION_KEYS"))
        .isEqualTo(declared("dispatcher-stream").get("RELAY_SECRETS_CODE_ENCRYPTION_KEYS"));
    assertThat(sender).doesNotContainKeys("RELAY_SECRETS_CODE_HMAC_KEYS", "RELAY_SECRETS_GUESS_ENCRYPTION_KEYS",
        "RELAY_SECRETS_ID_KEYS");
    assertThat(declared("relay-acls")).containsKey("RELAY_ACLS_SENDER_PRINCIPAL");
  }

  @Test
  void everyServiceTalkingToKafkaTakesTheSameClientSecurityAndItsOwnLogin() {
    List<String> kafkaServices = List.of("relay-topics", "dlr-ingest", "dispatcher-stream", "sender", "scoring-stream",
        "verification-api");
    List<Object> logins = new java.util.ArrayList<>();
    for (String service : kafkaServices) {
      assertThat(declared(service)).as(service).containsKeys("RELAY_KAFKA_BOOTSTRAP_SERVERS",
          "RELAY_KAFKA_CLIENT_SECURITY_PROTOCOL", "RELAY_KAFKA_CLIENT_SASL_MECHANISM");
      logins.add(declared(service).get("RELAY_KAFKA_CLIENT_SASL_JAAS_CONFIG"));
    }
    // One principal per service: the ACLs are per principal.
    assertThat(logins).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(declared("relay-acls").keySet()).anyMatch(name -> name.endsWith("_PRINCIPAL"));
  }

  @Test
  void theSimulatorAndTheAdaptersShareEachVendorsCredentialsAndPlivoIsEnabled() {
    Map<String, String> sim = environment("provider-sim");
    Map<String, String> dispatcher = environment("dispatcher-stream");
    Map<String, String> dlr = environment("dlr-ingest");
    Map<String, String> shared = Map.of(
        "RELAY_SIM_TWILIO_AUTH_TOKEN", "RELAY_PROVIDERS_TWILIO_AUTH_TOKEN",
        "RELAY_SIM_VONAGE_SIGNATURE_SECRET", "RELAY_PROVIDERS_VONAGE_SIGNATURE_SECRET",
        "RELAY_SIM_PLIVO_AUTH_ID", "RELAY_PROVIDERS_PLIVO_AUTH_ID",
        "RELAY_SIM_PLIVO_AUTH_TOKEN", "RELAY_PROVIDERS_PLIVO_AUTH_TOKEN");
    Map<String, Object> simDeclared = declared("provider-sim");
    shared.forEach((simVariable, adapterVariable) -> {
      assertThat(sim).containsKey(simVariable);
      assertThat(declared("dispatcher-stream").get(adapterVariable)).as(adapterVariable)
          .isEqualTo(simDeclared.get(simVariable));
      assertThat(declared("dlr-ingest").get(adapterVariable)).as(adapterVariable).isEqualTo(simDeclared.get(simVariable));
      assertThat(declared("sender").get(adapterVariable)).as(adapterVariable).isEqualTo(simDeclared.get(simVariable));
    });
    assertThat(dispatcher.get("RELAY_PROVIDERS_ENABLED")).isEqualTo("twilio,vonage,plivo");
    assertThat(dlr.get("RELAY_PROVIDERS_ENABLED")).isEqualTo("twilio,vonage,plivo");
    assertThat(environment("sender").get("RELAY_PROVIDERS_ENABLED")).isEqualTo("twilio,vonage,plivo");
  }

  /** Issue 13: what the compose file exposes, and to whom. */
  @Test
  @SuppressWarnings("unchecked")
  void onlyTheApiAndDlrIngestArePublishedAndMetricsGrafanaAndTheSimulatorAreNotOpen() {
    for (String service : List.of("verification-api", "dispatcher-stream", "sender", "dlr-ingest", "scoring-stream")) {
      Object management = declared(service).get("RELAY_MANAGEMENT_PORT");
      assertThat(management).as("%s serves /metrics apart from its public port", service).isNotNull();
      List<Object> ports = (List<Object>) services.get(service).getOrDefault("ports", List.of());
      assertThat(ports).as("%s publishes no management port", service)
          .noneMatch(port -> String.valueOf(port).contains(String.valueOf(management)));
    }
    assertThat(services.entrySet().stream()
        .filter(service -> service.getValue().containsKey("ports"))
        .filter(service -> ((List<Object>) service.getValue().get("ports")).stream()
            .anyMatch(port -> !String.valueOf(port).startsWith("127.0.0.1:")))
        .map(Map.Entry::getKey).toList())
        .as("published beyond loopback").containsExactlyInAnyOrder("verification-api", "dlr-ingest");
    Map<String, Object> grafana = declared("grafana");
    assertThat(String.valueOf(grafana.get("GF_SECURITY_ADMIN_PASSWORD"))).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
    assertThat(String.valueOf(grafana.get("GF_AUTH_ANONYMOUS_ENABLED"))).isEqualTo("false");
    assertThat((List<Object>) services.get("provider-sim").get("profiles")).containsExactly("demo");
    assertThat(environment("dlr-ingest")).containsEntry("RELAY_DLR_ALLOW_PLAIN_HTTP", "false");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> declared(String service) {
    return (Map<String, Object>) services.get(service).get("environment");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(String service) {
    Map<String, Object> declared = (Map<String, Object>) services.get(service).get("environment");
    Map<String, String> env = new java.util.HashMap<>();
    declared.forEach((name, value) -> env.put(name, placeholder(String.valueOf(value))));
    return env;
  }

  /**
   * A ${VAR:?...} reference becomes a value of the right shape, as a filled-in .env would give; a
   * ${VAR:-default} its default, as an .env without it would give.
   */
  private static String placeholder(String value) {
    if (!value.startsWith("${")) {
      return value;
    }
    int fallback = value.indexOf(":-");
    if (fallback > 0) {
      return value.substring(fallback + 2, value.length() - 1);
    }
    return value.contains("_KEYS") ? dev.relay.support.secrets.Keyring.generateSetting("k1") : "placeholder";
  }
}
