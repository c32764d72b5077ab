package dev.relay.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeBlockedPrefixes;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeServices;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.config.ApiConfig;
import dev.relay.api.dispatch.DispatcherAdmission;
import dev.relay.api.http.VerificationRoutes.Route;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationStatus;
import dev.relay.support.http.RelayHttp;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.javalin.http.HandlerType;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAPI document served at /openapi.json describes exactly the routes the server has, and the bodies they answer with. */
class OpenApiDocumentTest {

  /** The HTTP shell's own operational endpoints; the document describes the API. */
  private static final Set<String> OPERATIONAL_PATHS = Set.of("/health", "/health/ready", "/health/live", "/metrics");
  private static final Set<HandlerType> ROUTE_METHODS = EnumSet.of(
      HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
  private static final String NUMBER = "+4915112345678";

  private static final ApiKeys.GeneratedKey ADMIN = ApiKeys.generate("ops");
  private static final String SERVICE_ID = "svc_0123456789abcdef";

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private final FakeBlockedPrefixes blocks = new FakeBlockedPrefixes();
  private final FakeVerificationReader reader = new FakeVerificationReader();
  private final FakeServices services = new FakeServices().with(FakeServices.service(SERVICE_ID, "Shop", Channel.SMS));
  private final ApiConfig config = TestSettings.config();
  private Javalin app;
  private HttpCalls http;
  private JsonNode document;

  @BeforeEach
  void start() {
    dispatcher.start();
    app = RelayHttp.create("test", () -> true, null);
    reader.byNumber.put(NUMBER, FakeVerificationReader.pending(config.ids().mint(NUMBER), NUMBER, null, Instant.now())
        .setAttempts(List.of(Attempt.newBuilder(VerificationRoutesTest.deliveredAttempt()).setProviderTries(List.of(
            new ProviderTry(0, "twilio", Channel.SMS, SendReason.INITIAL, "table", SendOutcome.REJECTED, ErrorCategory.THROTTLED,
                "20429", null, Instant.now(), Instant.now()))).build())).build());
    new VerificationRoutes(dispatcher,
        new DispatcherAdmission(config.overloadLimits(), Clock.systemUTC(), new SimpleMeterRegistry()), reader, config.ids(), config.guessSealer(), new NumberPolicy(config.enabledCountries(), true),
        config.codeLength(), ApiKeys.none(), ClientAddresses.direct(), CheckLimits.none(Clock.systemUTC()),
        new IdempotencyKeys(Duration.ofHours(1), Clock.systemUTC()), services, Clock.systemUTC()).register(app);
    blocks.latest.put("49151", FakeBlockedPrefixes.block("49151", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600)));
    new AdminRoutes(blocks, reader, config.ids(), ApiKeys.parse("admin", ADMIN.settingEntry()), Clock.systemUTC()).register(app);
    new ServiceRoutes(services, Clock.systemUTC()).register(app);
    app.start("127.0.0.1", 0);
    http = new HttpCalls(app.port());
    HttpResponse<String> response = http.get(VerificationRoutes.OPENAPI_PATH);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    document = HttpCalls.json(response);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void isOpenApi3() {
    assertThat(document.get("openapi").asText()).startsWith("3.");
    assertThat(document.at("/info/title").asText()).isNotBlank();
  }

  @Test
  void documentsExactlyTheRoutesTheServerHas() {
    Set<Route> served = app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .filter(endpoint -> ROUTE_METHODS.contains(endpoint.getEndpoint().getMethod()))
        .filter(endpoint -> !OPERATIONAL_PATHS.contains(endpoint.getEndpoint().getPath()))
        .map(endpoint -> new Route(endpoint.getEndpoint().getMethod().name().toLowerCase(Locale.ROOT), endpoint.getEndpoint().getPath()))
        .collect(Collectors.toSet());

    Set<Route> routes = new HashSet<>(VerificationRoutes.ROUTES);
    routes.addAll(AdminRoutes.ROUTES);
    routes.addAll(ServiceRoutes.ROUTES);
    assertThat(documentedRoutes()).isEqualTo(served).isEqualTo(routes);
  }

  @Test
  void everyDocumentedRouteAnswers() {
    for (Route route : documentedRoutes()) {
      String path = route.path().replace("{id}", reader.byNumber.get(NUMBER).getVerificationId()).replace("{prefix}", "49151")
          .replace("{serviceId}", SERVICE_ID);
      HttpResponse<String> response = http.send(route.method().toUpperCase(Locale.ROOT), path,
          java.net.http.HttpRequest.BodyPublishers.ofString("{}"));

      assertThat(response.statusCode()).as(route.toString()).isNotIn(404, 405);
    }
  }

  @Test
  void theVerificationSchemaMatchesAStartAnswer() {
    HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

    assertThat(response.statusCode()).isEqualTo(201);
    assertMatchesSchema(HttpCalls.json(response), "Verification");
    assertThat(document.at("/paths/~1v1~1verifications/post/responses/201/content/application~1json/schema/$ref").asText())
        .isEqualTo("#/components/schemas/Verification");
  }

  @Test
  void theStatusSchemaMatchesAStatusAnswerWithItsAttempts() {
    HttpResponse<String> response = http.get("/v1/verifications/" + reader.byNumber.get(NUMBER).getVerificationId());

    assertThat(response.statusCode()).isEqualTo(200);
    assertMatchesSchema(HttpCalls.json(response), "VerificationStatus");
    assertMatchesSchema(HttpCalls.json(response).get("attempts").get(0), "Attempt");
    assertMatchesSchema(HttpCalls.json(response).get("attempts").get(0).get("providerTries").get(0), "ProviderTry");
  }

  @Test
  void theAdminVerificationSchemaMatchesALookupAnswer() {
    HttpResponse<String> response = http.withApiKey(ADMIN.key()).get("/v1/admin/verifications?number=%2B4915112345678");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = HttpCalls.json(response);
    assertMatchesSchema(body, "AdminVerification");
    assertMatchesSchema(body.get("attempts").get(0), "AdminAttempt");
    assertMatchesSchema(body.get("attempts").get(0).get("providerTries").get(0), "ProviderTry");
    assertMatchesSchema(body.get("receipts").get(0), "Receipt");
    assertThat(document.at("/paths/~1v1~1admin~1verifications/get/responses/200/content/application~1json/schema/$ref").asText())
        .isEqualTo("#/components/schemas/AdminVerification");
  }

  @Test
  void theCheckSchemaMatchesACheckAnswer() {
    dispatcher.onCheck = check -> CompletableFuture.completedFuture(
        FakeDispatcherLink.checked(check, VerificationStatus.APPROVED, true, 4));

    HttpResponse<String> response = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertMatchesSchema(HttpCalls.json(response), "Check");
  }

  @Test
  void theErrorSchemaMatchesAnErrorAnswer() {
    HttpResponse<String> response = http.post("/v1/verifications", "{}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertMatchesSchema(HttpCalls.json(response), "Error");
  }

  @Test
  void everyStatusTheApiAnswersIsInTheStatusEnum() {
    Set<String> documented = new HashSet<>();
    document.at("/components/schemas/Status/enum").forEach(value -> documented.add(value.asText()));

    assertThat(documented).containsExactlyInAnyOrder(EnumSet.allOf(VerificationStatus.class).stream()
        .map(status -> Views.statusName(status)).toArray(String[]::new));
  }

  @Test
  void theRequestSchemasTakeTheFieldsTheEndpointsTake() {
    assertThat(propertyNames("StartRequest")).containsExactlyInAnyOrder("to", "channel", "locale", "requestId");
    assertThat(propertyNames("CheckByIdRequest")).containsExactlyInAnyOrder("code");
    assertThat(propertyNames("CheckByNumberRequest")).containsExactlyInAnyOrder("to", "code");
    assertThat(propertyNames("ResendRequest")).containsExactlyInAnyOrder("channel", "requestId");
  }

  @Test
  void resendAndCancelAnswerTheVerificationSchema() {
    String id = config.ids().mint(NUMBER);

    assertMatchesSchema(HttpCalls.json(http.post("/v1/verifications/" + id + "/resend", "")), "Verification");
    assertMatchesSchema(HttpCalls.json(http.delete("/v1/verifications/" + id)), "Verification");
  }

  @Test
  void theBlockedPrefixSchemasMatchTheAdminAnswers() {
    http.withApiKey(ADMIN.key());

    HttpResponse<String> list = http.get(AdminRoutes.BLOCKED_PREFIXES.path());
    assertThat(list.statusCode()).isEqualTo(200);
    assertMatchesSchema(HttpCalls.json(list), "BlockedPrefixList");
    assertMatchesSchema(HttpCalls.json(list).get("blockedPrefixes").get(0), "BlockedPrefix");

    HttpResponse<String> released = http.delete("/v1/admin/blocked-prefixes/49151");
    assertThat(released.statusCode()).isEqualTo(200);
    assertMatchesSchema(HttpCalls.json(released), "BlockedPrefix");
  }

  @Test
  void theServiceSchemasMatchTheAdminAnswersAndRequests() {
    http.withApiKey(ADMIN.key());

    HttpResponse<String> created = http.post(ServiceRoutes.CREATE.path(), "{\"friendlyName\": \"Bank\","
        + " \"templates\": {\"de\": \"{1} ist Ihr {0}-Code\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertMatchesSchema(HttpCalls.json(created), "Service");
    HttpResponse<String> list = http.get(ServiceRoutes.LIST.path());
    assertMatchesSchema(HttpCalls.json(list), "ServiceList");
    assertMatchesSchema(HttpCalls.json(list).get("services").get(0), "Service");
    assertMatchesSchema(HttpCalls.json(http.get("/v1/admin/services/" + SERVICE_ID)), "Service");
    assertMatchesSchema(HttpCalls.json(http.post("/v1/admin/services/" + SERVICE_ID, "{\"maxSends\": 3}")), "Service");
    assertThat(propertyNames("ServiceRequest")).isEqualTo(ServiceForm.FIELDS);
  }

  @Test
  void aBlockedPrefixIsDocumentedOnTheEndpointsThatSend() {
    for (String pointer : new String[] {"/paths/~1v1~1verifications/post/responses/403/$ref",
        "/paths/~1v1~1verifications~1{id}~1resend/post/responses/403/$ref"}) {
      assertThat(document.at(pointer).asText()).isEqualTo("#/components/responses/PrefixBlocked");
    }
    assertThat(document.at("/components/responses/PrefixBlocked/description").asText()).contains("prefix_blocked");
  }

  @Test
  void overloadIsDocumentedOnEveryEndpointThatWaitsOnTheDispatcher() {
    for (Route route : List.of(VerificationRoutes.START, VerificationRoutes.CHECK_BY_ID, VerificationRoutes.CHECK_BY_NUMBER,
        VerificationRoutes.RESEND, VerificationRoutes.CANCEL)) {
      JsonNode operation = document.get("paths").get(route.path()).get(route.method());
      assertThat(operation.at("/responses/503/$ref").asText()).as(route.toString())
          .isEqualTo("#/components/responses/OverloadedOrUnavailable");
    }
    JsonNode response = document.at("/components/responses/OverloadedOrUnavailable");
    assertThat(response.get("description").asText()).contains("overloaded").contains("unavailable").contains("504");
    assertThat(response.at("/headers/Retry-After/$ref").asText()).isEqualTo("#/components/headers/RetryAfter");
  }

  @Test
  void issue13sAnswersAreDocumented() {
    for (String pointer : new String[] {"/paths/~1v1~1verifications/post/responses/422/$ref",
        "/paths/~1v1~1verifications~1{id}~1resend/post/responses/422/$ref"}) {
      assertThat(document.at(pointer).asText()).isEqualTo("#/components/responses/IdempotencyKeyReused");
    }
    assertThat(document.at("/components/responses/IdempotencyKeyReused/description").asText()).contains("idempotency_key_reused");
    for (String pointer : new String[] {"/paths/~1v1~1verifications~1{id}~1check/post/responses/404/$ref",
        "/paths/~1v1~1verification-checks/post/responses/404/$ref"}) {
      assertThat(document.at(pointer).asText()).isEqualTo("#/components/responses/CheckNotFound");
    }
    assertThat(document.at("/components/responses/CheckNotFound/description").asText()).contains("no longer pending");
    for (String pointer : new String[] {"/paths/~1v1~1verifications~1{id}~1check/post/responses/429/$ref",
        "/paths/~1v1~1verification-checks/post/responses/429/$ref"}) {
      assertThat(document.at(pointer).asText()).isEqualTo("#/components/responses/Refused");
    }
    assertThat(document.at("/components/responses/UnexpectedReply/description").asText()).contains("reply_mismatch");
    // Every /v1 route but the admin ones needs an API key: no anonymous alternative is documented.
    document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
      if (path.getKey().startsWith("/v1/") && !path.getKey().startsWith("/v1/admin")) {
        assertThat(operation.getValue().get("security").toString()).as(path.getKey()).isEqualTo("[{\"apiKey\":[]}]");
      }
    }));
  }

  private Set<Route> documentedRoutes() {
    Set<Route> routes = new HashSet<>();
    for (Iterator<String> paths = document.get("paths").fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      document.get("paths").get(path).fieldNames().forEachRemaining(method -> routes.add(new Route(method, path)));
    }
    return routes;
  }

  private Set<String> propertyNames(String schema) {
    Set<String> names = new HashSet<>();
    document.at("/components/schemas/" + schema + "/properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private void assertMatchesSchema(JsonNode body, String schema) {
    Set<String> fields = new HashSet<>();
    body.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).as(schema).isEqualTo(propertyNames(schema));
    document.at("/components/schemas/" + schema + "/required")
        .forEach(required -> assertThat(body.hasNonNull(required.asText())).as(schema + "." + required.asText()).isTrue());
  }
}
