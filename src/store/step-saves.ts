import type { StepUpsertParams } from "./statements.ts";

interface QueuedSave {
  params: StepUpsertParams;
  committed: Promise<void>;
}

/**
 * Step saves that are queued but not yet run, by run and step. A save of a step whose previous
 * save is still queued replaces that save's record instead of queueing another statement: both
 * would commit in the same transaction, where only the later record stays visible. The usual case
 * is a quick step whose start and result both arrive before the next group commit: one upsert
 * instead of two. The step keeps the position of its first save.
 */
export class CoalescedStepSaves {
  private readonly queued = new Map<string, QueuedSave>();

  /**
   * Queues `params` with `enqueue` (the commit queue), to be written by `write`; resolves once
   * committed. A save that joins a queued one resolves with it.
   */
  save(
    params: StepUpsertParams,
    enqueue: (operation: () => void) => Promise<void>,
    write: (params: StepUpsertParams) => void,
  ): Promise<void> {
    const key = `${params.run_id}\u0000${params.step_id}`;
    const queued = this.queued.get(key);
    if (queued) {
      queued.params = params;
      return queued.committed;
    }
    const entry: QueuedSave = { params, committed: Promise.resolve() };
    this.queued.set(key, entry);
    entry.committed = enqueue(() => {
      // From here on a new save of this step needs its own statement.
      if (this.queued.get(key) === entry) this.queued.delete(key);
      write(entry.params);
    });
    return entry.committed;
  }
}
