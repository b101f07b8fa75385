import { StepRegistry } from "../registry.ts";
import { failExecutor } from "./fail.ts";
import { httpExecutor } from "./http.ts";
import { createShellExecutor, type ShellOptions } from "./shell.ts";
import { sleepExecutor } from "./sleep.ts";
import { transformExecutor } from "./transform.ts";

/** Options of the built-in step types. */
export interface StepRegistryOptions {
  shell?: ShellOptions;
}

/**
 * A registry with the built-in step types: transform, http, shell, sleep, fail (email and
 * workflow are registered by other parts later).
 */
export function createStepRegistry(options: StepRegistryOptions = {}): StepRegistry {
  const registry = new StepRegistry();
  registry.register(transformExecutor);
  registry.register(httpExecutor);
  registry.register(createShellExecutor(options.shell));
  registry.register(sleepExecutor);
  registry.register(failExecutor);
  return registry;
}
