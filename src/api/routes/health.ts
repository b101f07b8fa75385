import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";

/** GET /healthz (the process answers) and GET /readyz (store open, workflows loaded, accepting). */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const checks = deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? "ready" : "not ready", checks }, ready ? 200 : 503);
  });
  return app;
}
