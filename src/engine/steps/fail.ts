import type { StepExecutor } from "../../core/engine.ts";
import { StepError } from "../../core/errors.ts";

/** `fail`: fails the step on purpose with the rendered `message` (useful under `if`); never retried. */
export const failExecutor: StepExecutor = {
  type: "fail",
  pure: true,
  async execute({ config }) {
    const message = config.message;
    const text =
      message === undefined || message === null || message === "" ? "Step failed" : String(message);
    throw new StepError("FAIL", text, { retryable: false });
  },
};
