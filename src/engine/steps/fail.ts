import type { StepExecutor } from "../../core/engine.ts";
import { StepError } from "../../core/errors.ts";

/**
 * `fail`: fails the step on purpose with the rendered `message` (useful under `if`); never retried.
 * A message that renders to an object or a list (`message: "{{ steps.check.output }}"`) is given
 * as JSON text, which says what went wrong, where String() would give "[object Object]".
 */
export const failExecutor: StepExecutor = {
  type: "fail",
  pure: true,
  async execute({ config }) {
    throw new StepError("FAIL", messageText(config.message), { retryable: false });
  },
};

function messageText(message: unknown): string {
  if (message === undefined || message === null || message === "") return "Step failed";
  return typeof message === "object" ? JSON.stringify(message) : String(message);
}
