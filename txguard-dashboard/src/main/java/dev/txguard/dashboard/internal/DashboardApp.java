package dev.txguard.dashboard.internal;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's routes and the checks in front of them, set on a Javalin of its own ({@link
 * #start()}) or on an application's ({@link #mount}). Every route's handler is wrapped in the
 * {@link Guard} (so it runs whatever the host's router settings), and a before-handler runs it for
 * unknown paths below the prefix (their 401 comes before the 404). Exceptions of the dashboard's
 * routes are answered inside the wrapper; the host application's are left alone.
 */
public final class DashboardApp {
  private final Settings settings;
  private volatile boolean mounted;

  /** The app for {@code settings}; nothing runs until started or mounted. */
  public DashboardApp(Settings settings) {
    this.settings = settings;
  }

  /** A route: its method, its path below the mount point, and what serves it. */
  record Route(HandlerType method, String path, Handler handler) {}

  /** Whether {@link #mount} was called. */
  public boolean isMounted() {
    return mounted;
  }

  /** Starts a Javalin of the dashboard's own on the configured address and port. */
  public Javalin start() {
    Guard guard =
        new Guard(
            settings.credentials(), settings.readOnly(), settings.loopback(), settings.bind());
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.host = settings.bind();
              config.jetty.port = settings.port();
              install(config, "", guard);
            });
    return app.start();
  }

  /** Adds the routes to an application's Javalin under {@code prefix} (no Host check there). */
  public void mount(JavalinConfig config, String prefix) {
    mounted = true;
    install(config, prefix, new Guard(settings.credentials(), settings.readOnly(), false, null));
  }

  private void install(JavalinConfig config, String prefix, Guard guard) {
    // unknown paths below the prefix: 401 before the 404 (best effort; the routes guard themselves)
    config.routes.before(
        ctx -> {
          if (below(ctx, prefix)) {
            guard.admitOnce(ctx);
          }
        });
    for (Route r : routes(guard)) {
      config.routes.addHttpHandler(r.method(), prefix + r.path(), guarded(guard, r.handler()));
    }
  }

  /**
   * {@code handler} behind the guard, with the dashboard's own error answers: the guard runs for
   * every request that reaches the route whatever the router's settings (context path,
   * case-insensitive routes, repeated slashes), and exceptions of the route stay the dashboard's.
   */
  static Handler guarded(Guard guard, Handler handler) {
    return ctx -> {
      if (!guard.admitOnce(ctx)) {
        return;
      }
      try {
        handler.handle(ctx);
      } catch (IllegalArgumentException e) {
        ctx.status(400);
        Json.send(ctx, Map.of("error", String.valueOf(e.getMessage())));
      } catch (HttpResponseException e) {
        throw e;
      } catch (Exception e) {
        Api.LOG.error("dashboard: {} {} failed", ctx.method(), ctx.path(), e);
        ctx.status(500);
        Json.send(
            ctx,
            Map.of(
                "error",
                "the dashboard failed: " + e.getClass().getSimpleName() + " (see its log)"));
      }
    };
  }

  /**
   * Whether the request's path, less the context path and repeated slashes, is below {@code prefix}
   * (any case).
   */
  private static boolean below(Context ctx, String prefix) {
    if (prefix.isEmpty()) {
      return true;
    }
    String path = ctx.path();
    String contextPath = ctx.contextPath();
    if (contextPath != null && !contextPath.equals("/") && path.startsWith(contextPath)) {
      path = path.substring(contextPath.length());
    }
    path = path.replaceAll("/{2,}", "/");
    return path.equalsIgnoreCase(prefix)
        || path.regionMatches(true, 0, prefix + "/", 0, prefix.length() + 1);
  }

  private List<Route> routes(Guard guard) {
    Api api = new Api(settings, guard);
    return List.of(
        new Route(HandlerType.GET, "/", ctx -> Assets.send(ctx, "index.html")),
        new Route(
            HandlerType.GET, "/assets/{name}", ctx -> Assets.send(ctx, ctx.pathParam("name"))),
        new Route(HandlerType.GET, "/api/session", api::session),
        new Route(HandlerType.GET, "/api/overview", api::overview),
        new Route(HandlerType.GET, "/api/throughput", api::throughput),
        new Route(HandlerType.GET, "/api/processes", api::processes),
        new Route(HandlerType.GET, "/api/schedules", api::schedules),
        new Route(HandlerType.GET, "/api/jobs", api::jobs),
        new Route(HandlerType.GET, "/api/jobs/{id}", api::job),
        new Route(HandlerType.POST, "/api/jobs/{id}/retry", api::retry),
        new Route(HandlerType.POST, "/api/jobs/{id}/cancel", api::cancel),
        new Route(HandlerType.POST, "/api/groups/cancel", api::cancelGroup));
  }
}
