type Listener<T> = (payload: T) => void;

/**
 * A small typed event emitter. `Events` maps event names to payload types, so
 * `emitter.on("run:completed", (run) => ...)` is checked at compile time.
 */
export class TypedEmitter<Events extends Record<string, unknown>> {
  // Each event's listeners as an array that is replaced, never changed: an emit iterates the array
  // it started with (listeners added or removed meanwhile count from the next emit) without
  // copying it, and most events are emitted once or more per run.
  private listeners = new Map<keyof Events, readonly Listener<never>[]>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const added = listener as Listener<never>;
    const current = this.listeners.get(event) ?? [];
    if (!current.includes(added)) this.listeners.set(event, [...current, added]);
    return () => {
      const remaining = (this.listeners.get(event) ?? []).filter((other) => other !== added);
      this.listeners.set(event, remaining);
    };
  }

  /** Calls every listener of `event`. A throwing listener does not stop the others. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const listeners = this.listeners.get(event);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch {
        // Listeners observe; they must not break the emitter's caller.
      }
    }
  }

  /** Resolves with the first payload of `event` for which `predicate` holds. */
  waitFor<K extends keyof Events>(
    event: K,
    predicate: (payload: Events[K]) => boolean = () => true,
  ): Promise<Events[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (!predicate(payload)) return;
        off();
        resolve(payload);
      });
    });
  }
}
