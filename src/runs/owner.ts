import { hostname } from "node:os";
import { ulid } from "../lib/ids.ts";

/** A lease owner id for this process: `host:pid:instance`. */
export function processOwnerId(): string {
  return `${hostname()}:${process.pid}:${ulid()}`;
}

/**
 * Whether a lease owner is certainly gone: it ran on this host and its process no longer exists.
 * Owners on other hosts are never presumed dead; their leases expire instead.
 */
export function isOwnerGone(owner: string, self: string): boolean {
  if (owner === self) return false;
  const [host, pidText] = owner.split(":");
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
