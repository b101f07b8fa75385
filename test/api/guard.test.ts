import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { ApiEnv } from "../../src/api/deps.ts";
import { errorHandler } from "../../src/api/middleware/errors.ts";
import { type Guard, guarded } from "../../src/api/middleware/guard.ts";
import { WfdError } from "../../src/core/errors.ts";
import { silentLogger } from "../../src/lib/logger.ts";

function appWith(guards: Guard[], handled: string[]): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use(guarded(...guards));
  app.get("/", (c) => {
    handled.push("handler");
    return c.json({ ok: true });
  });
  app.onError(errorHandler(silentLogger));
  return app;
}

describe("guarded", () => {
  test("runs every guard in order, then the route, with the headers the guards set", async () => {
    const seen: string[] = [];
    const app = appWith(
      [
        () => void seen.push("first"),
        (c) => {
          seen.push("second");
          c.header("X-Checked", "yes");
        },
      ],
      seen,
    );
    const response = await app.request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-checked")).toBe("yes");
    expect(seen).toEqual(["first", "second", "handler"]);
  });

  test("the first guard that throws answers with its error; later guards and the route do not run", async () => {
    const seen: string[] = [];
    const app = appWith(
      [
        () => {
          seen.push("first");
          throw new WfdError("UNAUTHORIZED", "Unknown API key");
        },
        () => void seen.push("second"),
      ],
      seen,
    );
    const response = await app.request("/");
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    expect(seen).toEqual(["first"]);
  });
});
