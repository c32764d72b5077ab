package dev.relay.dlr;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.kafka.acl.AclCheck;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.dlr.http.DlrRoutes;
import dev.relay.dlr.polling.ReceiptPolling;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderClients;
import dev.relay.providers.ProviderKeys;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.providers.receipt.ReceiptReaders;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.ManagementServer;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.kafka.KafkaConnections;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import dev.relay.support.polling.ReceiptPollKeys;
import dev.relay.support.runtime.RelayService;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The dlr-ingest service: the vendors' webhooks over HTTP and a durable producer to
 * {@code delivery-receipts}. Ready once started, and not while Kafka refuses receipts (the last
 * produce decides, until the next one succeeds). With {@code relay.dlr.poll.enabled}, it also looks up
 * the status of the sends the dispatcher names on {@code receipt-polls} ({@link ReceiptPolling}): those
 * whose final receipt is overdue.
 */
public final class DlrIngestService implements RelayService {

  public static final String NAME = "dlr-ingest";

  private final RelayConfig config;
  private final Clock clock;
  private final Map<String, ReceiptReader> readers;
  private final Topic<String, DeliveryReceipt> topic;
  private final String publicUrl;
  private final boolean polling;
  /** The adapters polls go through; empty unless polling is enabled. */
  private final Map<String, ProviderClient> pollClients;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile Producer<String, DeliveryReceipt> producer;
  private volatile Javalin app;
  private volatile ManagementServer management;
  private volatile ReceiptPolling poller;
  private volatile boolean kafkaAcking = true;
  private volatile KafkaConnections connections;
  private KafkaClientMetrics clientMetrics;

  public DlrIngestService(RelayConfig config) {
    this(config, Clock.systemUTC());
  }

  /** Validates the providers' settings at once, so a missing secret fails before anything starts. */
  public DlrIngestService(RelayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.readers = ReceiptReaders.fromConfig(config, clock);
    this.publicUrl = ProviderKeys.receivingPublicUrl(config);
    this.topic = Topics.fromConfig(config.lookup()).deliveryReceipts;
    this.polling = config.getBoolean(ReceiptPollKeys.ENABLED);
    this.pollClients = polling ? ProviderClients.fromConfig(config) : Map.of();
  }

  /**
   * What dlr-ingest's Kafka principal must be allowed: writing receipts; with polling on, also reading
   * the polls the dispatcher asks for, in the poller's group.
   */
  public static ServiceAcls kafkaAcls(Topics topics, boolean polling, String applicationId) {
    ServiceAcls.Builder acls = ServiceAcls.builder(NAME).describe(List.of(topics.deliveryReceipts)).write(topics.deliveryReceipts);
    if (polling) {
      acls.describe(List.of(topics.receiptPolls))
          .read(topics.receiptPolls)
          .group(ReceiptPolling.pollerGroup(applicationId));
    }
    return acls.build();
  }

  private Topics topics() {
    return Topics.fromConfig(config.lookup());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    KafkaAccess kafka = KafkaAccess.from(config);
    Topics topics = topics();
    TopicProvisioner.ensure(kafka, polling ? List.of(topic, topics.receiptPolls) : List.of(topic),
        config.getDuration(DlrConfig.PROVISION_TIMEOUT));
    AclCheck.verify(kafka, kafkaAcls(topics, polling, config.get(DlrConfig.APPLICATION_ID)),
        config.getDuration(DlrConfig.PROVISION_TIMEOUT));
    producer = new KafkaProducer<>(KafkaSettings.durableProducer(kafka, NAME),
        topic.keySerde().serializer(), topic.valueSerde().serializer());
    // Fetches the topic's metadata now: the producer is connected before the first receipt comes.
    producer.partitionsFor(topic.name());
    connections = KafkaConnections.of(producer::metrics);
    clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(metrics);
    Duration ackTimeout = config.getDuration(DlrConfig.ACK_TIMEOUT);
    DlrRoutes routes = new DlrRoutes(readers, new ReceiptPublisher(producer, topic, ackTimeout), publicUrl, clock, metrics,
        acked -> kafkaAcking = acked);
    management = ManagementServer.start(CommonKeys.managementPort(config), config.get(DlrConfig.HTTP_HOST), NAME,
        this::isReady, metrics);
    Javalin server = RelayHttp.create(NAME, this::isReady, metrics, !management.enabled());
    routes.register(server);
    server.start(config.get(DlrConfig.HTTP_HOST), config.getInt(DlrConfig.HTTP_PORT));
    app = server;
    if (polling) {
      poller = new ReceiptPolling(kafka, topics, config.get(DlrConfig.APPLICATION_ID), pollClients,
          new ReceiptPublisher(producer, topic, ackTimeout),
          config.getDuration(ProviderKeys.READ_TIMEOUT).plus(config.getDuration(ProviderKeys.CONNECT_TIMEOUT)), clock, metrics);
      poller.start();
    }
  }

  @Override
  public boolean isReady() {
    KafkaConnections current = connections;
    return app != null && kafkaAcking && current != null && current.connected();
  }

  @Override
  public String endpoint() {
    return app == null ? "" : "http://localhost:" + app.port() + " (vendors call " + publicUrl + "/dlr/" + String.join("|", readers.keySet()) + ")";
  }

  /** The port it listens on, once started (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The port of /metrics and health when {@code relay.management.port} is set. */
  public java.util.OptionalInt managementPort() {
    ManagementServer current = management;
    return current == null ? java.util.OptionalInt.empty() : current.port();
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.close();
      poller = null;
    }
    if (app != null) {
      app.stop();
      app = null;
    }
    if (management != null) {
      management.close();
      management = null;
    }
    if (clientMetrics != null) {
      clientMetrics.close();
      clientMetrics = null;
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
    metrics.close();
  }
}
