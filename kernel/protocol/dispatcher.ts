/**
 * Runs requests: shell ones strictly one at a time in arrival order, control ones at once (so shutdown and
 * kernel_info on control are not stuck behind a long cell). Every request is wrapped in status busy/idle with the
 * request as parent, and after a failed cell the execute_requests already waiting are aborted (ipykernel's
 * _abort_queues: abort what is queued now, then resume).
 *
 * Comm messages (comms.ts COMM_MESSAGE_TYPES) that arrive while a shell request runs are handled at once instead
 * of waiting behind it: a widget's Cancel button must reach a cell that awaits its futures (ipykernel would hold the
 * click until the cell ends). They publish no busy/idle then: the kernel is busy with that request, and an idle for
 * the comm message would tell the frontend otherwise.
 */
import type { ContentOf } from '../transport/wire';
import { handlers, unknownHandler, type Kernel, type Request } from './handlers';
import { log } from '../process/log';
import { interruptGate, requestStamp } from '../process/interrupt-gate';
import { COMM_MESSAGE_TYPES } from './comms';
import { IdleCompaction } from '../process/idle-compaction';

const STOP_ABORTING = Symbol('stop aborting');

export class Dispatcher {
  private readonly queue: Array<Request | typeof STOP_ABORTING> = [];
  private draining = false;
  private aborting = false;
  /** Compacts the heap once no request is running or waiting for a while (idle-compaction.ts). */
  private readonly compaction: IdleCompaction;

  constructor(private readonly kernel: Kernel) {
    this.compaction = new IdleCompaction({ collectElsewhere: () => kernel.session.collectInIoThread() });
  }

  push(request: Request): void {
    this.compaction.busy();
    if (request.channel === 'control') {
      void this.handle(request).then(() => {
        if (!this.draining) this.compaction.quiet();
      });
      return;
    }
    if (this.draining && COMM_MESSAGE_TYPES.has(request.message.header.msg_type)) {
      void this.handleAside(request);
      return;
    }
    this.queue.push(request);
    void this.drain();
  }

  /**
   * Called before the failed cell's reply is sent: what the shell socket received up to now is queued ahead of the
   * marker and aborted; a request sent in reaction to the reply comes after it and runs.
   */
  async abortQueued(): Promise<void> {
    this.aborting = true;
    await this.kernel.session.barrier();
    this.queue.push(STOP_ABORTING);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        if (next === STOP_ABORTING) this.aborting = false;
        else {
          const executing = next.message.header.msg_type === 'execute_request';
          // Interrupts (interrupt-gate.ts) are for execute_requests only, as ipykernel's SIGINT handling is.
          if (executing) interruptGate().cellStarted(requestStamp(next.message.header));
          await this.handle(next);
          if (executing) interruptGate().cellEnded();
        }
      }
    } finally {
      this.draining = false;
      this.compaction.quiet();
    }
  }

  /** A comm message while another request runs: no status of its own (see the top of the file). */
  private async handleAside(request: Request): Promise<void> {
    const type = request.message.header.msg_type;
    try {
      await handlers[type](this.kernel, request);
    } catch (e) {
      log('error', `handling ${type}: ${(e as Error)?.stack ?? String(e)}`);
    }
  }

  private async handle(request: Request): Promise<void> {
    const { session, output } = this.kernel;
    const parent = request.message.header;
    const type = parent.msg_type;
    session.status('busy', parent);
    try {
      if (this.aborting && type === 'execute_request') {
        // As ipykernel's aborted reply: no execution_count, which @jupyterlab/services' type requires.
        const aborted = { status: 'aborted' } as ContentOf<'execute_reply'>;
        session.send(request.channel, 'execute_reply', aborted, parent, request.identities, { status: 'aborted' });
      } else {
        // hasOwn: a msg_type such as 'constructor' or 'toString' must not find Object.prototype's members.
        await (Object.hasOwn(handlers, type) ? handlers[type] : unknownHandler)(this.kernel, request);
      }
    } catch (e) {
      log('error', `handling ${type}: ${(e as Error)?.stack ?? String(e)}`);
    }
    output.flush();
    session.status('idle', parent);
  }
}
