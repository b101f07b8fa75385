import { Hono } from "hono";
import type { ApiEnv, WebhooksApi } from "../deps.ts";
import { ok } from "../envelope.ts";
import { requireScope } from "../middleware/auth.ts";
import { parseRequest } from "../validate.ts";
import { CreateWebhookBody, ListDeliveriesQuery } from "../webhook-schemas.ts";

/** Webhook subscriptions and their deliveries (DESIGN §7, §8). Secrets are shown only on creation. */
export function webhookRoutes(webhooks: WebhooksApi): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const read = requireScope("webhooks:read");
  const write = requireScope("webhooks:write");
  app.get("/webhooks", read, async (c) => ok(c, await webhooks.list()));
  app.post("/webhooks", write, async (c) => {
    const body = parseRequest(CreateWebhookBody, c.get("body"), "request body");
    return ok(c, await webhooks.create(body), 201);
  });
  app.get("/webhooks/:id", read, async (c) => ok(c, await webhooks.get(c.req.param("id"))));
  app.delete("/webhooks/:id", write, async (c) => {
    const id = c.req.param("id");
    await webhooks.delete(id);
    return ok(c, { id, deleted: true });
  });
  app.get("/webhooks/:id/deliveries", read, async (c) => {
    const query = parseRequest(ListDeliveriesQuery, c.req.query(), "query");
    const page = await webhooks.deliveries(c.req.param("id"), query.limit, query.cursor);
    return ok(c, page.deliveries, 200, {
      limit: query.limit,
      hasMore: page.nextCursor !== null,
      nextCursor: page.nextCursor,
    });
  });
  return app;
}
