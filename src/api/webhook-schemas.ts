import * as v from "valibot";
import { EVENT_TYPES } from "../core/events.ts";
import { limit } from "./schemas.ts";

/** POST /webhooks. */
export const CreateWebhookBody = v.strictObject({
  url: v.pipe(
    v.string(),
    v.url("must be an absolute URL"),
    v.maxLength(2048, "must be at most 2048 characters"),
  ),
  events: v.pipe(
    v.array(v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(", ")}`)),
    v.minLength(1, "must name at least one event"),
  ),
  secret: v.optional(v.string()),
  description: v.optional(v.pipe(v.string(), v.maxLength(500, "must be at most 500 characters"))),
});

/** GET /webhooks/:id/deliveries. */
export const ListDeliveriesQuery = v.strictObject({
  limit: limit(100, 20),
  cursor: v.optional(v.string()),
});
