import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { QUICK, startDaemon, type TestDaemon } from "./helpers.ts";

const COMMENTED = `# Sends the nightly report
name: Report   # shown in the UI
status: draft
steps:
  - id: a
    type: transform
    config: { mapping: 1 }
`;

let d: TestDaemon;
const dir = () => d.config.workflowsDir;

beforeAll(async () => {
  const workflows: Record<string, string> = { "report.yaml": COMMENTED, "team/quick.yaml": QUICK };
  for (let i = 0; i < 5; i++)
    workflows[`w${i}.yaml`] =
      `name: Workflow ${i}\nsteps: [{ id: a, type: transform, config: { mapping: ${i} } }]\n`;
  d = await startDaemon({ workflows });
});
afterAll(() => d.stop());

describe("reading workflows", () => {
  test("GET /workflows lists each workflow with the documented fields", async () => {
    await d.call("POST", "/api/v1/workflows/quick/run", { body: { wait: 10 } });
    const { status, json } = await d.call("GET", "/api/v1/workflows?search=adds");
    expect(status).toBe(200);
    expect(json.data.length).toBe(1);
    const [item] = json.data;
    expect(item).toMatchObject({
      id: "quick",
      name: "Quick",
      description: "Adds numbers",
      status: "active",
      triggers: [{ type: "api" }],
      version: 1,
      file: "team/quick.yaml",
      endpoint: `${d.url}/api/v1/workflows/quick/run`,
      errors: [],
    });
    expect(item.versionId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(item.stats).toMatchObject({ totalRuns: 1, successCount: 1, failureCount: 0 });
    expect(typeof item.stats.lastRunAt).toBe("string");
    expect(item.steps).toBeUndefined();
  });

  test("pages, status filter and totals", async () => {
    const first = await d.call("GET", "/api/v1/workflows?limit=3");
    expect(first.json.meta).toMatchObject({ page: 1, limit: 3, total: 7, hasMore: true });
    const last = await d.call("GET", "/api/v1/workflows?limit=3&page=3");
    expect(last.json.data.length).toBe(1);
    expect(last.json.meta.hasMore).toBe(false);
    const ids = new Set<string>();
    for (const page of [1, 2, 3]) {
      const { json } = await d.call("GET", `/api/v1/workflows?limit=3&page=${page}`);
      for (const item of json.data) ids.add(item.id);
    }
    expect(ids.size).toBe(7);
    const drafts = await d.call("GET", "/api/v1/workflows?status=draft");
    expect(drafts.json.data.map((w: { id: string }) => w.id)).toEqual(["report"]);
    expect((await d.call("GET", "/api/v1/workflows?page=0")).status).toBe(400);
  });

  test("GET /workflows/:id adds steps, inputSchema and output; unknown is 404", async () => {
    const { json } = await d.call("GET", "/api/v1/workflows/quick");
    expect(json.data.steps[0]).toMatchObject({ id: "total", type: "transform" });
    expect(json.data.inputSchema.type).toBe("object");
    expect(json.data).toHaveProperty("output");
    const missing = await d.call("GET", "/api/v1/workflows/nope");
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain('"nope"');
  });

  test("an invalid newer file shows as errors, and the last good version stays current", async () => {
    writeFileSync(join(dir(), "w0.yaml"), "name: Broken\nsteps:\n  - id: a\n    type: nope\n");
    await d.daemon.parts.registry.refreshFile("w0.yaml");
    const { json } = await d.call("GET", "/api/v1/workflows/w0");
    expect(json.data.name).toBe("Workflow 0");
    expect(json.data.errors.length).toBeGreaterThan(0);
    expect(json.data.errors[0]).toMatch(/^w0\.yaml:\d+:\d+: /);
  });

  test("versions list every content with its hash and first-seen time", async () => {
    writeFileSync(
      join(dir(), "w1.yaml"),
      "name: Workflow 1 v2\nsteps: [{ id: a, type: transform, config: { mapping: 2 } }]\n",
    );
    await d.daemon.parts.registry.refreshFile("w1.yaml");
    const { json } = await d.call("GET", "/api/v1/workflows/w1/versions");
    expect(json.data.map((v: { version: number }) => v.version)).toEqual(expect.arrayContaining([1, 2]));
    const current = json.data.find((v: { current: boolean }) => v.current);
    expect(current.version).toBe(2);
    expect(current.hash).toMatch(/^sha256:/);
    expect(typeof current.firstSeenAt).toBe("string");
    expect((await d.call("GET", "/api/v1/workflows/nope/versions")).status).toBe(404);
  });
});

describe("writing workflows", () => {
  test("POST with YAML writes <id>.yaml and answers 201 with the loaded workflow", async () => {
    const yaml = "name: Created\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n";
    const { status, json } = await d.call("POST", "/api/v1/workflows", { body: { id: "created", yaml } });
    expect(status).toBe(201);
    expect(json.data).toMatchObject({ id: "created", name: "Created", version: 1, file: "created.yaml" });
    expect(readFileSync(join(dir(), "created.yaml"), "utf8")).toBe(yaml);
    const run = await d.call("POST", "/api/v1/workflows/created/run", { body: { wait: 10 } });
    expect(run.json.data.status).toBe("completed");
  });

  test("POST takes the id from the YAML, or the workflow as JSON", async () => {
    const fromYaml = await d.call("POST", "/api/v1/workflows", {
      body: {
        yaml: "id: from-yaml\nname: From YAML\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
      },
    });
    expect(fromYaml.status).toBe(201);
    expect(existsSync(join(dir(), "from-yaml.yaml"))).toBe(true);
    const asJson = await d.call("POST", "/api/v1/workflows", {
      body: {
        id: "as-json",
        name: "As JSON",
        steps: [{ id: "a", type: "transform", config: { mapping: 1 } }],
      },
    });
    expect(asJson.status).toBe(201);
    expect(asJson.json.data.steps[0].id).toBe("a");
  });

  test("invalid YAML is refused with every problem and writes nothing", async () => {
    const { status, json } = await d.call("POST", "/api/v1/workflows", {
      body: {
        id: "broken",
        yaml: "name: Broken\nsteps:\n  - id: a\n    type: nope\n  - id: a\n    type: fail\n",
      },
    });
    expect(status).toBe(400);
    expect(json.error.code).toBe("VALIDATION_ERROR");
    expect(json.error.details.length).toBeGreaterThanOrEqual(2);
    expect(json.error.details[0].message).toMatch(/^broken\.yaml:\d+:\d+: /);
    expect(existsSync(join(dir(), "broken.yaml"))).toBe(false);
  });

  test("an existing id is 409, a bad id or a missing id is 400", async () => {
    const yaml = "name: Again\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n";
    expect((await d.call("POST", "/api/v1/workflows", { body: { id: "quick", yaml } })).status).toBe(409);
    const bad = await d.call("POST", "/api/v1/workflows", { body: { id: "../escape", yaml } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toEqual(["id"]);
    expect(
      (await d.call("POST", "/api/v1/workflows", { body: { yaml } })).json.error.details[0].path,
    ).toEqual(["id"]);
    const empty = await d.call("POST", "/api/v1/workflows", { body: { nothing: true } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.details.map((detail: { path: string[] }) => detail.path[0])).toEqual([
      "id",
      "name",
      "steps",
    ]);
  });

  test("PATCH {status} rewrites only the status key, keeping comments", async () => {
    const { status, json } = await d.call("PATCH", "/api/v1/workflows/report", {
      body: { status: "active" },
    });
    expect(status).toBe(200);
    expect(json.data.status).toBe("active");
    const text = readFileSync(join(dir(), "report.yaml"), "utf8");
    expect(text).toContain("# Sends the nightly report");
    expect(text).toContain("name: Report # shown in the UI");
    expect(text).toContain("status: active");
    expect((await d.call("POST", "/api/v1/workflows/report/run", { body: {} })).status).toBe(202);
    const bad = await d.call("PATCH", "/api/v1/workflows/report", { body: { status: "gone" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toEqual(["status"]);
  });

  test("PATCH {yaml} replaces the file in place; invalid YAML or a new id is refused", async () => {
    const yaml = "name: Quick v2\nsteps: [{ id: a, type: transform, config: { mapping: 2 } }]\n";
    const { json } = await d.call("PATCH", "/api/v1/workflows/quick", { body: { yaml } });
    expect(json.data).toMatchObject({ name: "Quick v2", version: 2, file: "team/quick.yaml" });
    expect(readFileSync(join(dir(), "team/quick.yaml"), "utf8")).toBe(yaml);
    const invalid = await d.call("PATCH", "/api/v1/workflows/quick", { body: { yaml: "name: [" } });
    expect(invalid.status).toBe(400);
    const renamed = await d.call("PATCH", "/api/v1/workflows/quick", {
      body: { yaml: `id: other\n${yaml}` },
    });
    expect(renamed.status).toBe(400);
    expect(readFileSync(join(dir(), "team/quick.yaml"), "utf8")).toBe(yaml);
    expect((await d.call("PATCH", "/api/v1/workflows/nope", { body: { yaml } })).status).toBe(404);
  });

  test("DELETE removes the file and the workflow", async () => {
    const { status, json } = await d.call("DELETE", "/api/v1/workflows/w2");
    expect(status).toBe(200);
    expect(json.data).toEqual({ id: "w2", deleted: true });
    expect(existsSync(join(dir(), "w2.yaml"))).toBe(false);
    expect((await d.call("GET", "/api/v1/workflows/w2")).status).toBe(404);
    expect((await d.call("DELETE", "/api/v1/workflows/w2")).status).toBe(404);
  });
});
