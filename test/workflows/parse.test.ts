import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NO_RETRY, type Workflow } from "../../src/core/workflow.ts";
import { sha256Hex } from "../../src/lib/hash.ts";
import { parseWorkflowFile } from "../../src/workflows/index.ts";
import { definitionOf } from "./helpers.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/workflows");
const DESIGN_FILE = "design/process-order.yaml";

const workflowRetry = { attempts: 3, delayMs: 1000, backoff: "exponential", maxDelayMs: 30_000 } as const;

describe("the DESIGN §3 example", () => {
  const bytes = readFileSync(join(FIXTURES, DESIGN_FILE));
  const result = parseWorkflowFile(DESIGN_FILE, bytes);

  test("parses without problems into a version pinned by the hash of its bytes", () => {
    expect(result.problems).toEqual([]);
    expect(result.version?.workflowId).toBe("process-order");
    expect(result.version?.versionId).toBe(`sha256:${sha256Hex(bytes)}`);
    expect(result.version?.source).toBe(bytes.toString("utf8"));
  });

  test("gives the expected Workflow: defaults, needs, retry and durations resolved", () => {
    const expected: Workflow = {
      id: "process-order",
      name: "Process Customer Order",
      description: "Create invoice and send confirmation",
      status: "active",
      triggers: [
        { type: "api" },
        {
          type: "schedule",
          cron: "0 9 * * 1-5",
          timezone: "Europe/Amsterdam",
          input: { reportType: "daily" },
          overlap: "skip",
          catchUp: "none",
        },
        { type: "webhook", secret: "${STRIPE_WEBHOOK_SECRET}", signature: "stripe" },
        {
          type: "form",
          fields: [
            { name: "email", type: "email", required: true },
            { name: "message", type: "textarea" },
          ],
        },
      ],
      inputSchema: {
        type: "object",
        required: ["customerId", "items"],
        properties: {
          customerId: { type: "string", pattern: "^cus_[a-zA-Z0-9]+$" },
          items: {
            type: "array",
            items: {
              type: "object",
              properties: { quantity: { type: "number", minimum: 1 }, price: { type: "number" } },
            },
          },
          currency: { type: "string", enum: ["usd", "eur", "gbp"], default: "usd" },
        },
      },
      concurrency: 5,
      timeoutMs: 600_000,
      onRestart: "resume",
      steps: [
        {
          id: "calculate-total",
          type: "transform",
          needs: [],
          retry: workflowRetry,
          continueOnError: false,
          config: {
            mapping: {
              subtotal: "{{ input.items | map: 'quantity * price' | sum }}",
              total: "{{ input.items | map: 'quantity * price' | sum | times: 1.08 }}",
            },
          },
        },
        {
          id: "create-invoice",
          type: "http",
          connection: "stripe",
          if: "{{ steps.calculate-total.output.total > 0 }}",
          timeoutMs: 30_000,
          needs: ["calculate-total"],
          retry: workflowRetry,
          continueOnError: false,
          config: {
            method: "POST",
            url: "/v1/invoices",
            json: {
              customer: "{{ input.customerId }}",
              amount: "{{ steps.calculate-total.output.total }}",
            },
          },
        },
        {
          id: "send-confirmation",
          type: "email",
          needs: ["create-invoice"],
          retry: workflowRetry,
          continueOnError: false,
          config: {
            to: "{{ input.customerEmail }}",
            subject: "Order confirmed - invoice {{ steps.create-invoice.output.body.number }}",
            html: "<p>Total: {{ steps.calculate-total.output.total }}</p>",
          },
        },
      ],
      output: { invoiceId: "{{ steps.create-invoice.output.body.id }}" },
      file: DESIGN_FILE,
    };
    expect(result.version?.definition).toEqual(expected);
  });

  test("is plain JSON data, so a stored version round-trips unchanged", () => {
    const definition = result.version?.definition;
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });
});

describe("defaults", () => {
  const minimal = "name: Minimal\nsteps:\n  - id: only\n    type: fail\n";

  test("a minimal file gets every default", () => {
    expect(definitionOf(minimal, "folder/minimal.yml")).toEqual({
      id: "minimal",
      name: "Minimal",
      status: "active",
      triggers: [{ type: "api" }],
      onRestart: "resume",
      steps: [{ id: "only", type: "fail", needs: [], retry: NO_RETRY, continueOnError: false, config: {} }],
      file: "folder/minimal.yml",
    });
  });

  test("`id:` overrides the file name", () => {
    expect(definitionOf(`id: custom-id\n${minimal}`, "minimal.yaml").id).toBe("custom-id");
  });

  test("a single trigger object becomes a list, with schedule defaults filled in", () => {
    const yaml = `trigger:\n  type: schedule\n  cron: "*/10 * * * * *"\n${minimal}`;
    expect(definitionOf(yaml).triggers).toEqual([
      { type: "schedule", cron: "*/10 * * * * *", timezone: "UTC", overlap: "skip", catchUp: "none" },
    ]);
  });

  test("a webhook trigger defaults to the Standard Webhooks signature; a form field to type text", () => {
    const yaml = `trigger:\n  - type: webhook\n  - type: form\n    fields: [{ name: note }]\n${minimal}`;
    expect(definitionOf(yaml).triggers).toEqual([
      { type: "webhook", signature: "standard" },
      { type: "form", fields: [{ name: "note", type: "text" }] },
    ]);
  });

  test("an empty trigger list means the API only", () => {
    expect(definitionOf(`trigger: []\n${minimal}`).triggers).toEqual([{ type: "api" }]);
  });
});

describe("needs", () => {
  const steps = (a: string, b: string, c: string) =>
    `name: n\nsteps:\n  - id: a\n    type: fail${a}\n  - id: b\n    type: fail${b}\n  - id: c\n    type: fail${c}\n`;

  test("default to the step before; the first step needs nothing", () => {
    expect(definitionOf(steps("", "", "")).steps.map((step) => step.needs)).toEqual([[], ["a"], ["b"]]);
  });

  test("an explicit list replaces the default; [] starts at once; a single id is accepted", () => {
    const yaml = steps("", "\n    needs: []", "\n    needs: a");
    expect(definitionOf(yaml).steps.map((step) => step.needs)).toEqual([[], [], ["a"]]);
  });

  test("repeated ids in needs count once", () => {
    const yaml = steps("", "", "\n    needs: [a, b, a]");
    expect(definitionOf(yaml).steps[2]?.needs).toEqual(["a", "b"]);
  });
});

describe("retry and durations", () => {
  const base = "name: r\nsteps:\n";

  test("a partial policy takes the documented defaults (attempts 1, delay 1s, exponential, maxDelay 5m)", () => {
    const yaml = `${base}  - id: a\n    type: fail\n    retry: { attempts: 4 }\n`;
    expect(definitionOf(yaml).steps[0]?.retry).toEqual({
      attempts: 4,
      delayMs: 1000,
      backoff: "exponential",
      maxDelayMs: 300_000,
    });
  });

  test("a step's own policy wins over the workflow's; other steps inherit the workflow's", () => {
    const yaml = `retry: { attempts: 2, delay: 500ms, backoff: fixed }\n${base}  - id: a\n    type: fail\n    retry: { attempts: 5, backoff: linear, delay: 2s, maxDelay: 1h }\n  - id: b\n    type: fail\n`;
    const [own, inherited] = definitionOf(yaml).steps;
    expect(own?.retry).toEqual({ attempts: 5, delayMs: 2000, backoff: "linear", maxDelayMs: 3_600_000 });
    expect(inherited?.retry).toEqual({ attempts: 2, delayMs: 500, backoff: "fixed", maxDelayMs: 300_000 });
  });

  test("durations become milliseconds; a bare number is milliseconds", () => {
    const yaml = `timeout: 1h30m\n${base}  - id: a\n    type: fail\n    timeout: 2500\n`;
    const workflow = definitionOf(yaml);
    expect(workflow.timeoutMs).toBe(5_400_000);
    expect(workflow.steps[0]?.timeoutMs).toBe(2500);
  });

  test("step options are kept; config values stay as written for run-time templating", () => {
    const yaml = `${base}  - id: a\n    name: Wait a bit\n    type: sleep\n    continueOnError: true\n    config: { duration: "{{ input.wait }}" }\n`;
    expect(definitionOf(yaml).steps[0]).toMatchObject({
      name: "Wait a bit",
      continueOnError: true,
      config: { duration: "{{ input.wait }}" },
    });
  });
});

describe("content", () => {
  const yaml = "name: Same\nsteps:\n  - id: a\n    type: fail\n";

  test("a string and its UTF-8 bytes give the same version", () => {
    const fromText = parseWorkflowFile("same.yaml", yaml).version;
    const fromBytes = parseWorkflowFile("same.yaml", new TextEncoder().encode(yaml)).version;
    expect(fromText?.versionId).toBe(`sha256:${sha256Hex(yaml)}`);
    expect(fromBytes).toEqual(fromText);
  });

  test("any edit, even a comment, is a new version", () => {
    const edited = parseWorkflowFile("same.yaml", `${yaml}# note\n`).version;
    expect(edited?.versionId).not.toBe(parseWorkflowFile("same.yaml", yaml).version?.versionId);
  });

  test("anchors and merge keys work; top-level x- keys hold them without being unknown keys", () => {
    const withAnchors = `x-defaults: &defaults\n  type: fail\n  timeout: 5s\nname: Anchors\nsteps:\n  - <<: *defaults\n    id: a\n  - <<: *defaults\n    id: b\n`;
    const steps = definitionOf(withAnchors).steps;
    expect(steps.map((step) => [step.id, step.type, step.timeoutMs])).toEqual([
      ["a", "fail", 5000],
      ["b", "fail", 5000],
    ]);
  });

  test("a UTF-8 byte order mark is accepted", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(yaml)]);
    expect(parseWorkflowFile("bom.yaml", bytes).version?.definition.name).toBe("Same");
  });
});
