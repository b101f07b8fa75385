import type { StepExecutor } from "../core/engine.ts";

/** The step types the engine can run, by type name. */
export class StepRegistry {
  private readonly executors = new Map<string, StepExecutor>();

  /** Adds a step type; registering the same type twice is a programming error. */
  register(executor: StepExecutor): void {
    if (this.executors.has(executor.type)) {
      throw new Error(`Step type "${executor.type}" is already registered`);
    }
    this.executors.set(executor.type, executor);
  }

  /** The executor of a step type, or undefined when none is registered. */
  get(type: string): StepExecutor | undefined {
    return this.executors.get(type);
  }

  /** The registered type names, in registration order. */
  types(): string[] {
    return [...this.executors.keys()];
  }
}
