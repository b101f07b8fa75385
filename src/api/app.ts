import { Hono } from "hono";
import type { ApiDeps, ApiEnv, AppDeps } from "./deps.ts";
import { Metrics } from "./metrics.ts";
import { authenticate } from "./middleware/auth.ts";
import { jsonBody } from "./middleware/body.ts";
import { errorHandler, notFoundHandler } from "./middleware/errors.ts";
import { guarded } from "./middleware/guard.ts";
import { limitRate } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { refuseWhenStopping } from "./middleware/unavailable.ts";
import { executeRoutes } from "./routes/execute.ts";
import { healthRoutes } from "./routes/health.ts";
import { publicRoutes } from "./routes/public.ts";
import { runRoutes } from "./routes/runs.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { workflowWriteRoutes } from "./routes/workflow-writes.ts";
import { workflowReadRoutes } from "./routes/workflows.ts";

export type { ApiDeps, ApiKey, AppDeps } from "./deps.ts";

/** /api/v1: shutdown check, authentication, rate limits and the body reader before every route. */
function apiV1(deps: ApiDeps): Hono<ApiEnv> {
  const v1 = new Hono<ApiEnv>();
  v1.use(guarded(refuseWhenStopping(deps.accepting), authenticate(deps.apiKeys), limitRate(deps.clock)));
  v1.use(jsonBody(deps.bodyLimit));
  v1.route("/", executeRoutes(deps));
  v1.route("/", runRoutes(deps));
  v1.route("/", workflowReadRoutes(deps));
  v1.route("/", workflowWriteRoutes(deps));
  v1.route("/", webhookRoutes(deps.webhooks));
  return v1;
}

/** Builds the hono app of `wfd serve`: health checks, and the API when `deps.api` is given. */
export function createApp(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use(requestId());
  app.route("/", healthRoutes(deps));
  if (deps.api) {
    const metrics = new Metrics();
    metrics.watch(deps.api.runs);
    metrics.watchDeliveries(deps.api.deliveryEvents);
    app.use(metrics.httpMiddleware());
    app.route("/", publicRoutes(deps.api, metrics));
    app.route("/api/v1", apiV1(deps.api));
  }
  app.notFound(notFoundHandler());
  app.onError(errorHandler(deps.logger));
  return app;
}
