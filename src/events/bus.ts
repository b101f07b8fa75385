import { finishedRunEventTypes } from "../core/events.ts";
import type { Run } from "../core/run.ts";
import { TypedEmitter } from "../lib/emitter.ts";

/** The events of DESIGN §8 as they happen in this process, each with its payload. */
export type WfdEvents = {
  "run.completed": Run;
  "run.failed": Run;
  "run.cancelled": Run;
  /** Any of the three above. */
  "workflow.executed": Run;
  "form.submitted": { formId: string; submissionId: string; data: unknown };
};

/**
 * The typed event bus of wfd's public events. It is in-process and not durable: webhooks go
 * through the outbox, written with the run's final state; the bus tells the delivery worker
 * (and tests, and future in-process listeners) that something happened.
 */
export class EventBus extends TypedEmitter<WfdEvents> {
  /** Publishes a finished run as `run.<status>`, then `workflow.executed`. */
  publishFinishedRun(run: Run): void {
    for (const type of finishedRunEventTypes(run.status)) this.emit(type, run);
  }
}
