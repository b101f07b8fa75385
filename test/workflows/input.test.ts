import { describe, expect, test } from "bun:test";
import type { WorkflowVersion } from "../../src/core/workflow.ts";
import { inputValidatorFor } from "../../src/workflows/index.ts";

let counter = 0;

/** A version whose only interesting part is its inputSchema; each gets its own versionId. */
function versionWith(inputSchema?: Record<string, unknown>): WorkflowVersion {
  counter++;
  const definition = {
    id: "w",
    name: "W",
    status: "active" as const,
    triggers: [{ type: "api" as const }],
    onRestart: "resume" as const,
    steps: [],
    file: "w.yaml",
    ...(inputSchema ? { inputSchema } : {}),
  };
  return { workflowId: "w", versionId: `sha256:${counter}`, definition, source: "" };
}

const ORDER_SCHEMA = {
  type: "object",
  required: ["customerId", "items"],
  properties: {
    customerId: { type: "string", pattern: "^cus_[a-zA-Z0-9]+$" },
    email: { type: "string", format: "email" },
    items: {
      type: "array",
      items: {
        type: "object",
        required: ["price"],
        properties: { quantity: { type: "number", minimum: 1, default: 1 }, price: { type: "number" } },
      },
    },
    currency: { type: "string", enum: ["usd", "eur", "gbp"], default: "usd" },
  },
};

describe("with an inputSchema", () => {
  const validator = inputValidatorFor(versionWith(ORDER_SCHEMA));

  test("valid input gets defaults, also inside arrays", () => {
    const result = validator.validate({
      customerId: "cus_1",
      items: [{ price: 5 }, { price: 2, quantity: 3 }],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        customerId: "cus_1",
        items: [
          { price: 5, quantity: 1 },
          { price: 2, quantity: 3 },
        ],
        currency: "usd",
      },
    });
  });

  test("every error is returned with its path and a readable message", () => {
    const result = validator.validate({
      customerId: "nope",
      email: "not-an-email",
      items: [{ quantity: 0, price: 1 }, { price: "ten" }, {}],
      currency: "yen",
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: ["customerId"], message: 'must match pattern "^cus_[a-zA-Z0-9]+$"' },
        { path: ["email"], message: "must be a valid email" },
        { path: ["items", 0, "quantity"], message: "must be >= 1" },
        { path: ["items", 1, "price"], message: "must be a number" },
        { path: ["items", 2, "price"], message: "is required" },
        { path: ["currency"], message: "must be one of: usd, eur, gbp" },
      ],
    });
  });

  test("missing required fields point at the field; absent input counts as {}", () => {
    const expected = {
      ok: false as const,
      errors: [
        { path: ["customerId"], message: "is required" },
        { path: ["items"], message: "is required" },
      ],
    };
    expect(validator.validate({})).toEqual(expected);
    expect(validator.validate(undefined)).toEqual(expected);
    expect(validator.validate(null)).toEqual(expected);
  });

  test("input of the wrong shape is one error at the root", () => {
    expect(validator.validate([1, 2])).toEqual({
      ok: false,
      errors: [{ path: [], message: "must be an object" }],
    });
    expect(validator.validate("text")).toEqual({
      ok: false,
      errors: [{ path: [], message: "must be an object" }],
    });
  });

  test("the caller's input is not modified", () => {
    const input = { customerId: "cus_1", items: [{ price: 1 }] };
    validator.validate(input);
    expect(input).toEqual({ customerId: "cus_1", items: [{ price: 1 }] });
  });

  test("nor by defaults or stripping found only under definitions and items", () => {
    const nested = inputValidatorFor(
      versionWith({
        type: "object",
        properties: { lines: { type: "array", items: { $ref: "#/definitions/line" } } },
        definitions: {
          line: {
            type: "object",
            additionalProperties: false,
            properties: { sku: { type: "string" }, quantity: { type: "number", default: 1 } },
          },
        },
      }),
    );
    const input = { lines: [{ sku: "a", extra: true }] };
    expect(nested.validate(input)).toEqual({ ok: true, value: { lines: [{ sku: "a", quantity: 1 }] } });
    expect(input).toEqual({ lines: [{ sku: "a", extra: true }] });
  });

  test("the validator is compiled once per version", () => {
    const version = versionWith(ORDER_SCHEMA);
    expect(inputValidatorFor(version)).toBe(inputValidatorFor(version));
  });
});

describe("stripping unknown fields", () => {
  test("only where additionalProperties is false", () => {
    const validator = inputValidatorFor(
      versionWith({
        type: "object",
        additionalProperties: false,
        properties: { a: { type: "string" }, open: { type: "object" } },
      }),
    );
    expect(validator.validate({ a: "x", extra: 1, open: { kept: true } })).toEqual({
      ok: true,
      value: { a: "x", open: { kept: true } },
    });
  });

  test("additionalProperties with a schema reports the failing field", () => {
    const validator = inputValidatorFor(
      versionWith({ type: "object", properties: {}, additionalProperties: { type: "number" } }),
    );
    expect(validator.validate({ n: 1, s: "x" })).toEqual({
      ok: false,
      errors: [{ path: ["s"], message: "must be a number" }],
    });
  });
});

describe("messages and paths", () => {
  test("types, formats, const and nullable types read naturally", () => {
    const validator = inputValidatorFor(
      versionWith({
        type: "object",
        properties: {
          when: { type: "string", format: "date-time" },
          site: { type: "string", format: "uri" },
          kind: { const: "order" },
          count: { type: "integer" },
          note: { type: ["string", "null"] },
        },
      }),
    );
    expect(
      validator.validate({ when: "yesterday", site: "nope", kind: "refund", count: 1.5, note: 3 }),
    ).toEqual({
      ok: false,
      errors: [
        { path: ["when"], message: "must be a valid date-time" },
        { path: ["site"], message: "must be a valid uri" },
        { path: ["kind"], message: 'must be "order"' },
        { path: ["count"], message: "must be an integer" },
        { path: ["note"], message: "must be a string or null" },
      ],
    });
  });

  test("keys with / and ~ and numeric-looking keys of objects stay strings", () => {
    const validator = inputValidatorFor(
      versionWith({
        type: "object",
        properties: {
          "a/b": { type: "number" },
          "c~d": { type: "number" },
          map: { additionalProperties: { type: "number" } },
        },
      }),
    );
    expect(validator.validate({ "a/b": "x", "c~d": "y", map: { "0": "z" } })).toEqual({
      ok: false,
      errors: [
        { path: ["a/b"], message: "must be a number" },
        { path: ["c~d"], message: "must be a number" },
        { path: ["map", "0"], message: "must be a number" },
      ],
    });
  });
});

describe("without an inputSchema", () => {
  const validator = inputValidatorFor(versionWith());

  test("any input is accepted as is; absent input becomes {}", () => {
    expect(validator.validate({ anything: [1] })).toEqual({ ok: true, value: { anything: [1] } });
    expect(validator.validate(undefined)).toEqual({ ok: true, value: {} });
  });
});
