/**
 * Runs requests: shell ones strictly one at a time in arrival order, control ones at once (so shutdown and
 * kernel_info on control are not stuck behind a long cell). Every request is wrapped in status busy/idle with the
 * request as parent, and after a failed cell the execute_requests already waiting are aborted (ipykernel's
 * _abort_queues: abort what is queued now, then resume).
 */
import { handlers, unknownHandler, type Kernel, type Request } from './handlers';
import { log } from './log';

const STOP_ABORTING = Symbol('stop aborting');

export class Dispatcher {
  private readonly queue: Array<Request | typeof STOP_ABORTING> = [];
  private draining = false;
  private aborting = false;

  constructor(private readonly kernel: Kernel) {}

  push(request: Request): void {
    if (request.channel === 'control') {
      void this.handle(request);
      return;
    }
    this.queue.push(request);
    void this.drain();
  }

  abortQueued(): void {
    this.aborting = true;
    // Requests that reached this thread before the timer fires are queued ahead of the marker, so they are aborted.
    setTimeout(() => {
      this.queue.push(STOP_ABORTING);
      void this.drain();
    }, 0);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        if (next === STOP_ABORTING) this.aborting = false;
        else await this.handle(next);
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(request: Request): Promise<void> {
    const { session, output } = this.kernel;
    const parent = request.message.header;
    const type = parent.msg_type;
    session.status('busy', parent);
    try {
      if (this.aborting && type === 'execute_request') {
        session.send(request.channel, 'execute_reply', { status: 'aborted' }, parent, request.identities, { status: 'aborted' });
      } else {
        await (handlers[type] ?? unknownHandler)(this.kernel, request);
      }
    } catch (e) {
      log('error', `handling ${type}: ${(e as Error)?.stack ?? String(e)}`);
    }
    output.flush();
    session.status('idle', parent);
  }
}
