/** Promises still under way, so a shutdown can wait for all of them. */
export class InFlight {
  private readonly pending = new Set<Promise<void>>();

  /** Keeps `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => {},
      () => {},
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return work;
  }

  /** Settles when everything tracked so far has settled, whatever its outcome. */
  settled(): Promise<void> {
    return Promise.all(this.pending).then(() => {});
  }
}
