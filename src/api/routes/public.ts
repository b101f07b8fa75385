import { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import type { Metrics } from "../metrics.ts";
import { openApiDocument } from "../openapi.ts";

/** Endpoints without authentication: the OpenAPI document and Prometheus metrics. */
export function publicRoutes(deps: ApiDeps, metrics: Metrics): Hono {
  const app = new Hono();
  const document = openApiDocument();
  app.get("/api/v1/openapi.json", (c) => c.json(document));
  app.get("/openapi.json", (c) => c.json(document));
  app.get("/metrics", async (c) =>
    c.text(await metrics.render(deps.store), 200, { "Content-Type": "text/plain; version=0.0.4" }),
  );
  return app;
}
