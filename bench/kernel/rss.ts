import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process and all its descendants (pool workers, ipykernel's children), in KiB:
 * the sum of VmRSS from /proc. Threads share their process's VmRSS, so they are counted once.
 */
export function treeRssKiB(rootPid: number): number {
  let total = 0;
  for (const pid of treePids(rootPid)) {
    const rss = /VmRSS:\s+(\d+)/.exec(readOrEmpty(`/proc/${pid}/status`));
    total += rss ? Number(rss[1]) : 0;
  }
  return total;
}

/** A process and all its descendants, from /proc. */
export function treePids(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    // The command name (field 2) may hold spaces and parentheses: parse after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(entry));
  }
  const pids: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    pids.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return pids;
}

export function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process ended while we looked
  }
}
