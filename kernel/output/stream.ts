/**
 * Stream coalescing: stdout/stderr text arriving close together goes out as one `stream` message, so a loop of
 * prints does not send a message per line, while the first write after a quiet spell still goes out at once.
 */
import type { CellContext } from './context';
import { setTimeout, clearTimeout } from 'node:timers';

export type StreamName = 'stdout' | 'stderr';

/** Writes arriving within this window are sent as one stream message; older ones are flushed by the next write. */
const COALESCE_MS = 10;
const MAX_HOLD_MS = 50;

export class StreamCoalescer {
  private pending: { ctx: CellContext; name: StreamName; text: string; since: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;

  constructor(private readonly send: (ctx: CellContext, name: StreamName, text: string) => void) {}

  write(ctx: CellContext, name: StreamName, text: string): void {
    const p = this.pending;
    if (p && (p.ctx.parent.msg_id !== ctx.parent.msg_id || p.name !== name)) this.flush();
    const now = Date.now();
    if (this.pending) this.pending.text += text;
    else this.pending = { ctx, name, text, since: now };
    // The first write after a quiet spell goes out at once: a cell that prints and then blocks the event loop
    // (`print('start'); while (busy) {}`) must show 'start' while it runs, as ipykernel's iopub thread does.
    // A synchronous loop never lets the timer run, so long-held output is pushed out by the writes themselves.
    if (now - this.lastSent >= COALESCE_MS || now - this.pending.since >= MAX_HOLD_MS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  /** Sends buffered stream text now; called before anything that must come after it (results, replies, idle). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.send(p.ctx, p.name, p.text);
    this.lastSent = Date.now();
  }
}
