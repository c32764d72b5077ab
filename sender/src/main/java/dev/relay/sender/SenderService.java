package dev.relay.sender;

import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderClients;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.sender.config.MessageSettings;
import dev.relay.sender.config.SenderConfig;
import dev.relay.sender.config.SenderSettings;
import dev.relay.sender.message.MessageTemplates;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.ManagementServer;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.runtime.RelayService;
import dev.relay.support.secrets.Secrets;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender as a running service: the {@link CommandSender} that carries out the dispatcher's send
 * commands against the providers, and a small HTTP server for health and metrics. Ready when the
 * sender has command partitions to work on and its clients are connected. Keys and providers the
 * config gets wrong are refused when the service is built, before anything starts.
 */
public final class SenderService implements RelayService {

  public static final String NAME = "sender";

  private static final Logger LOG = LoggerFactory.getLogger(SenderService.class);
  private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaAccess kafka;
  private final Topics topics;
  private final SenderSettings settings;
  private final Map<String, ProviderClient> providers;
  private final CommandExecutor executor;
  private final String httpHost;
  private final int httpPort;
  private final OptionalInt managementPort;
  private final Runnable onFatal;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicBoolean fatal = new AtomicBoolean();

  private CommandSender sender;
  private Javalin http;
  private ManagementServer management;

  /** With the vendors' clients as configured ({@link ProviderClients#fromConfig}); how the launcher builds it. */
  public SenderService(RelayConfig config) {
    this(config, ProviderClients.fromConfig(config));
  }

  /** A service that, on a fatal error, stops being ready and logs; the caller decides about the process. */
  public SenderService(RelayConfig config, Map<String, ProviderClient> providers) {
    this(config, providers, () -> { });
  }

  /**
   * @param providers the provider clients by name, as the commands' routes name them
   * @param onFatal run once when the sender stops for good (fenced, or a producer error; the main exits non-zero)
   */
  public SenderService(RelayConfig config, Map<String, ProviderClient> providers, Runnable onFatal) {
    this.kafka = KafkaAccess.from(config);
    this.topics = Topics.fromConfig(config.lookup());
    this.settings = SenderSettings.from(config);
    this.providers = Map.copyOf(providers);
    this.executor = new CommandExecutor(this.providers, MessageTemplates.bundled(MessageSettings.from(config)),
        Secrets.codeSealer(config), Clock.systemUTC(), settings.tryTimeout());
    this.httpHost = config.get(SenderConfig.HTTP_HOST);
    this.httpPort = config.getInt(SenderConfig.HTTP_PORT);
    this.managementPort = CommonKeys.managementPort(config);
    this.onFatal = onFatal;
  }

  /** The topics the sender touches: commands in, results and dead letters out. */
  public static List<Topic<?, ?>> topics(Topics topics) {
    return List.of(topics.sendCommands, topics.sendResults, topics.deadLetters);
  }

  /**
   * What the sender's Kafka principal must be allowed: read the commands in its group, write results
   * and dead letters with its transactional producer (ids starting with {@code transactionalIdPrefix}),
   * and see those three topics, which it checks exist at start-up. Nothing else: it reads no request,
   * no verification and no score.
   */
  public static ServiceAcls kafkaAcls(Topics topics, String groupId, String transactionalIdPrefix) {
    return ServiceAcls.builder(NAME)
        .describe(topics(topics))
        .read(topics.sendCommands)
        .write(topics.sendResults, topics.deadLetters)
        .group(groupId)
        .transactionalIds(transactionalIdPrefix)
        .build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (sender != null) {
      throw new IllegalStateException("the sender was started already");
    }
    TopicProvisioner.ensure(kafka, topics(topics), PROVISION_TIMEOUT);
    // Its own id is the narrowest prefix that covers it; the operator's grant may be wider.
    AclCheck.verify(kafka, kafkaAcls(topics, settings.groupId(), settings.transactionalId()), PROVISION_TIMEOUT);
    sender = new CommandSender(kafka, topics, settings, executor, metrics, () -> fatal("sender stopped"));
    sender.start();

    management = ManagementServer.start(managementPort, httpHost, NAME, this::isReady, metrics);
    http = RelayHttp.create(NAME, this::isReady, metrics, !management.enabled());
    http.start(httpHost, httpPort);
    LOG.info("sender calls providers {}, group {}, health on {}", providers.keySet(), settings.groupId(), endpoint());
  }

  @Override
  public boolean isReady() {
    CommandSender working = sender;
    return !fatal.get() && working != null && working.isAssigned() && working.isConnected();
  }

  @Override
  public String endpoint() {
    return http == null ? "" : "http://" + httpHost + ":" + http.port();
  }

  /** The port the health and metrics server listens on (the configured one, or the one picked for 0). */
  public int httpPort() {
    return http == null ? httpPort : http.port();
  }

  /** The port of /metrics and health when {@code relay.management.port} is set. */
  public OptionalInt managementPort() {
    return management == null ? OptionalInt.empty() : management.port();
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.stop();
      http = null;
    }
    if (management != null) {
      management.close();
      management = null;
    }
    if (sender != null) {
      sender.close();
    }
  }

  private void fatal(String why) {
    if (fatal.compareAndSet(false, true)) {
      LOG.error("the sender cannot go on: {}", why);
      onFatal.run();
    }
  }
}
