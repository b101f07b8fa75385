import type { TemplateContext } from "../../src/template/index.ts";

/** A template context for tests: an order input, two finished steps, and `overrides` on top. */
export function makeContext(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    input: {
      customerId: "cus_123",
      customerEmail: "ada@example.com",
      items: [
        { quantity: 2, price: 10, name: "pen" },
        { quantity: 5, price: 8, name: "pad" },
      ],
    },
    steps: {
      "calculate-total": { output: { subtotal: 60, total: 64.8 }, status: "completed", error: null },
      "create-invoice": {
        output: { status: 200, body: { id: "in_1", number: "INV-7", lines: [1, 2] } },
        status: "completed",
        error: null,
      },
    },
    run: {
      id: "run_01",
      workflowId: "process-order",
      createdAt: "2026-01-15T10:00:00.000Z",
      trigger: { type: "api" },
    },
    secrets: { STRIPE_KEY: "sk_test_1" },
    env: { REGION: "eu" },
    ...overrides,
  };
}
