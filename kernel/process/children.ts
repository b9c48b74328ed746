/**
 * The kernel's descendant processes (process-pool workers and whatever they start), found through /proc so the
 * kernel can end them at shutdown without knowing who started them. Elsewhere than Linux there is nothing to find.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 is the ppid; field 2 (comm) may contain spaces and parentheses, so parse after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

export function descendants(root = process.pid): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      found.push(c);
      visit(c);
    }
  };
  visit(root);
  return found;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to every descendant, then SIGKILL to those still there after graceMs. */
export async function killDescendants(graceMs = 500): Promise<void> {
  const pids = descendants();
  if (!pids.length) return;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Raced with its exit.
    }
  }
}
