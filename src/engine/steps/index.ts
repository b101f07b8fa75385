import { StepRegistry } from "../registry.ts";
import { createEmailExecutor, type EmailExecutor } from "./email.ts";
import { failExecutor } from "./fail.ts";
import { httpExecutor } from "./http.ts";
import { createShellExecutor, type ShellOptions } from "./shell.ts";
import { sleepExecutor } from "./sleep.ts";
import { transformExecutor } from "./transform.ts";

/** Options of the built-in step types. */
export interface StepRegistryOptions {
  shell?: ShellOptions;
  /**
   * The email step type to register. Pass one to close its pooled SMTP connections on stop;
   * default: a new one (it opens nothing until a step sends mail).
   */
  email?: EmailExecutor;
}

/**
 * A registry with the built-in step types: transform, http, shell, email, sleep, fail (workflow
 * is registered by the run service, which it needs).
 */
export function createStepRegistry(options: StepRegistryOptions = {}): StepRegistry {
  const registry = new StepRegistry();
  registry.register(transformExecutor);
  registry.register(httpExecutor);
  registry.register(createShellExecutor(options.shell));
  registry.register(options.email ?? createEmailExecutor());
  registry.register(sleepExecutor);
  registry.register(failExecutor);
  return registry;
}
