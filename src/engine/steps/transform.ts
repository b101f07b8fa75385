import type { StepExecutor } from "../../core/engine.ts";
import { invalidConfig } from "./config.ts";

/** `transform`: the output is the rendered `mapping`, whatever its shape. */
export const transformExecutor: StepExecutor = {
  type: "transform",
  pure: true,
  async execute({ config }) {
    if (!("mapping" in config)) throw invalidConfig("config.mapping is required");
    return config.mapping ?? null;
  },
};
