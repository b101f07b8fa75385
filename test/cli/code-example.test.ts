import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { exampleInput, FORMAT_EXAMPLES, samplePattern } from "../../src/cli/code-example.ts";
import { compileInputSchema } from "../../src/workflows/ajv.ts";
import { inputValidatorFor, loadWorkflowDir } from "../../src/workflows/index.ts";

describe("the example input of wfd code", () => {
  test("every string format ajv-formats checks has an example that it accepts", () => {
    const stringFormats = Object.entries(fullFormats)
      .filter(([, format]) => (format as { type?: string }).type !== "number")
      .map(([name]) => name);
    expect(Object.keys(FORMAT_EXAMPLES).sort()).toEqual(stringFormats.sort());
    for (const [format, example] of Object.entries(FORMAT_EXAMPLES)) {
      const validate = compileInputSchema({ type: "string", format });
      expect({ format, valid: validate(example) }).toEqual({ format, valid: true });
    }
  });

  test("every example workflow accepts the input its snippet would send", async () => {
    const { versions } = await loadWorkflowDir(join(import.meta.dir, "../../workflows.example"));
    const withSchema = versions.filter((version) => version.definition.inputSchema);
    expect(withSchema.length).toBeGreaterThan(2);
    for (const version of withSchema) {
      const result = inputValidatorFor(version).validate(exampleInput(version.definition.inputSchema));
      expect({ workflow: version.workflowId, ...result }).toMatchObject({
        workflow: version.workflowId,
        ok: true,
      });
    }
    const order = versions.find((version) => version.workflowId === "order-created");
    expect(exampleInput(order?.definition.inputSchema)).toEqual({
      customerId: "cus_a",
      items: [{ sku: "string", quantity: 1, price: 0 }],
    });
  });

  test("examples, default, const and enum are taken in that order before the type", () => {
    const example = exampleInput({
      type: "object",
      required: ["a", "b", "c", "d"],
      properties: {
        a: { type: "string", examples: ["from examples"], default: "from default" },
        b: { type: "number", default: 7, enum: [1, 2] },
        c: { const: "fixed", enum: ["other"] },
        d: { type: "string", enum: ["first", "second"] },
      },
    });
    expect(example).toEqual({ a: "from examples", b: 7, c: "fixed", d: "first" });
  });

  test("only required properties, unless an object names none; nested objects and arrays", () => {
    expect(
      exampleInput({
        type: "object",
        required: ["order"],
        properties: {
          order: {
            properties: {
              lines: {
                type: "array",
                minItems: 2,
                items: { type: "object", properties: { qty: { type: "integer" } } },
              },
              pair: { type: "array", items: [{ type: "string" }, { type: "boolean" }] },
            },
          },
          optional: { type: "string" },
        },
      }),
    ).toEqual({ order: { lines: [{ qty: 1 }, { qty: 1 }], pair: ["string", true] } });
    expect(exampleInput(undefined)).toEqual({});
  });

  test("local $refs, oneOf/anyOf, allOf and nullable types", () => {
    const schema = {
      type: "object",
      required: ["customer", "either", "both", "maybe"],
      definitions: { customer: { type: "object", required: ["id"], properties: { id: { type: "string" } } } },
      properties: {
        customer: { $ref: "#/definitions/customer" },
        either: { anyOf: [{ type: "integer" }, { type: "string" }] },
        both: {
          allOf: [
            { required: ["x"], properties: { x: { type: "boolean" } } },
            { required: ["y"], properties: { y: { type: "null" } } },
          ],
        },
        maybe: { type: ["null", "string"] },
      },
    };
    expect(exampleInput(schema)).toEqual({
      customer: { id: "string" },
      either: 1,
      both: { x: true, y: null },
      maybe: "string",
    });
  });

  test("a recursive $ref ends instead of looping", () => {
    const node = { type: "object", required: ["child"], properties: { child: { $ref: "#" } } };
    expect(JSON.stringify(exampleInput(node))).toContain("null");
  });

  test("numbers keep within minimum, maximum and multipleOf; strings within their lengths", () => {
    expect(
      exampleInput({
        type: "object",
        required: ["a", "b", "c", "d", "e", "f"],
        properties: {
          a: { type: "integer", exclusiveMinimum: 10 },
          b: { type: "number", maximum: -5 },
          c: { type: "integer", minimum: 3, multipleOf: 5 },
          d: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
          e: { type: "string", minLength: 10 },
          f: { type: "string", maxLength: 3 },
        },
      }),
    ).toEqual({ a: 11, b: -5, c: 5, d: 0.5, e: "stringxxxx", f: "str" });
  });

  test("simple patterns are sampled, and checked; others give way to a plain string", () => {
    expect(samplePattern("^cus_[a-zA-Z0-9]+$")).toBe("cus_a");
    expect(samplePattern("^(EU|US)-\\d{3}$")).toBe("EU-000");
    expect(samplePattern("^(?:ab)+x?\\.y*$")).toBe("ab.");
    expect(samplePattern("^[0-9]{4}-[0-9]{2}$")).toBe("0000-00");
    expect(samplePattern("^(?!admin).+$")).toBeNull();
    expect(samplePattern("^[^a]+$")).toBeNull();
    expect(samplePattern("(")).toBeNull();
    expect(exampleInput({ type: "string", pattern: "^(?=x)\\w$" })).toBe("string");
  });
});
