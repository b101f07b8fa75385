import { readdirSync, readFileSync } from "node:fs";

const POLL_MS = 20;
/** After SIGKILL the kernel needs only moments; past this a process is stuck in the kernel and we stop waiting. */
const KILL_WAIT_MS = 2000;

/**
 * Whether any process of group `pgid` is still running. Zombies do not count: they are dead and
 * only wait for their parent (or init) to collect them.
 */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return process.platform === "linux" ? hasLiveMemberInProc(pgid) : true;
}

function hasLiveMemberInProc(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may contain spaces): state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Stops every process of group `pgid`: SIGTERM, then SIGKILL to whatever still runs after
 * `graceMs`. Resolves once nothing of the group runs. This watches real processes, so it uses real
 * time rather than the engine's clock.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  while (isGroupAlive(pgid)) {
    if (Date.now() >= killAt) break;
    await Bun.sleep(POLL_MS);
  }
  if (!isGroupAlive(pgid)) return;
  signalGroup(pgid, "SIGKILL");
  const giveUpAt = Date.now() + KILL_WAIT_MS;
  while (isGroupAlive(pgid) && Date.now() < giveUpAt) await Bun.sleep(POLL_MS);
}
