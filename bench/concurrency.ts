/**
 * Calls `task(0..total-1)` with `inFlight` calls outstanding at any time, like that many clients
 * each waiting for its answer; returns the elapsed seconds.
 */
export async function timeConcurrently(
  total: number,
  inFlight: number,
  task: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (performance.now() - started) / 1000;
}
