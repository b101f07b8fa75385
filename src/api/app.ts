import { Hono } from "hono";
import type { Logger } from "../lib/logger.ts";
import { errorHandler, notFoundHandler } from "./middleware/errors.ts";
import { requestId } from "./middleware/request-id.ts";
import { healthRoutes } from "./routes/health.ts";

/** What the HTTP app needs from the daemon; concrete parts are passed in, never imported. */
export interface AppDeps {
  logger: Logger;
  /** Named readiness checks, each true when satisfied. */
  readiness: () => Record<string, boolean>;
}

/** Builds the hono app of `wfd serve`. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(requestId());
  app.route("/", healthRoutes(deps));
  app.notFound(notFoundHandler());
  app.onError(errorHandler(deps.logger));
  return app;
}
