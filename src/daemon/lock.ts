import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Marks the data directory as used by this `wfd serve`, so that a second daemon on the same
 * directory stops with a clear error instead of fighting over the runs. A lock left behind by a
 * process that no longer exists (kill -9) is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const path = join(dataDir, "wfd.pid");
  const holder = readHolder(path);
  if (holder !== null && holder !== process.pid && isAlive(holder)) {
    throw new Error(`another wfd serve (pid ${holder}) is using the data directory ${dataDir}`);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    if (readHolder(path) === process.pid) rmSync(path, { force: true });
  };
}

function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
