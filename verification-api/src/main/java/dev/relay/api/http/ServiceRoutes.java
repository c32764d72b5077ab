package dev.relay.api.http;

import dev.relay.api.http.VerificationRoutes.Route;
import dev.relay.api.services.Services;
import dev.relay.api.services.ServicesUnavailableException;
import dev.relay.schemas.VerificationService;
import dev.relay.support.http.ApiError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operator's endpoints for services (tenants): create, list, read and update one. They live under
 * {@link AdminRoutes#PATH_PREFIX}, so {@link AdminRoutes}' authentication guards them: admin keys only.
 * A service's API keys are configured with its id ({@code relay.api.keys}), never stored with it.
 */
public final class ServiceRoutes {

  public static final Route CREATE = new Route("post", "/v1/admin/services");
  public static final Route LIST = new Route("get", "/v1/admin/services");
  public static final Route GET = new Route("get", "/v1/admin/services/{serviceId}");
  public static final Route UPDATE = new Route("post", "/v1/admin/services/{serviceId}");
  /** Every route this class serves; the OpenAPI test holds the document to these. */
  public static final List<Route> ROUTES = List.of(CREATE, LIST, GET, UPDATE);

  private final Services services;
  private final Clock clock;

  public ServiceRoutes(Services services, Clock clock) {
    this.services = services;
    this.clock = clock;
  }

  /** Register after {@link AdminRoutes#register}, whose before-handler authenticates every admin path. */
  public void register(Javalin app) {
    app.post(CREATE.path(), this::create);
    app.get(LIST.path(), this::list);
    app.get(GET.path(), this::get);
    app.post(UPDATE.path(), this::update);
  }

  private void create(Context ctx) {
    VerificationService service = ServiceForm.create(JsonBody.read(ctx, ServiceForm.FIELDS), AdminRoutes.adminKeyName(ctx),
        clock.instant());
    available(() -> {
      services.save(service);
      return null;
    });
    ctx.status(HttpStatus.CREATED).json(Views.Service.of(service));
  }

  private void list(Context ctx) {
    ctx.json(new Views.ServiceList(available(services::all).stream().map(Views.Service::of).toList()));
  }

  private void get(Context ctx) {
    ctx.json(Views.Service.of(stored(ctx.pathParam("serviceId"))));
  }

  private void update(Context ctx) {
    JsonBody body = JsonBody.read(ctx, ServiceForm.FIELDS);
    VerificationService stored = stored(ctx.pathParam("serviceId"));
    VerificationService changed = ServiceForm.update(stored, body, AdminRoutes.adminKeyName(ctx), clock.instant());
    available(() -> {
      services.save(changed);
      return null;
    });
    ctx.json(Views.Service.of(changed));
  }

  /** The service as the topic has it now (read to its end: an operator updates what is there, not a cached copy). */
  private VerificationService stored(String serviceId) {
    if (!ServiceForm.SERVICE_ID.matcher(serviceId).matches()) {
      throw ApiError.notFound("no such service");
    }
    return available(services::all).stream()
        .filter(service -> service.getServiceId().equals(serviceId))
        .findFirst()
        .orElseThrow(() -> ApiError.notFound("no such service"));
  }

  private static <T> T available(Supplier<T> call) {
    try {
      return call.get();
    } catch (ServicesUnavailableException e) {
      throw ApiError.unavailable("the services could not be reached in time; retry");
    }
  }
}
