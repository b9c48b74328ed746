/**
 * Output routing: everything a cell prints or displays goes to iopub with the parent header of the execute_request
 * that started the work. The parent is kept in an AsyncLocalStorage, so a timer or an executor task started by a
 * cell still prints into that cell after the cell finished (as with ipykernel's threads, but exact).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Session } from '../protocol/session';
import type { ContentOf, MessageType } from '../transport/wire';
import { setDisplayHook } from '../../runtime/display-hook';
import type { CellContext } from './context';
import type { MimeBundle } from './format';
import { StreamCoalescer, type StreamName } from './stream';
import { InputRequests } from './stdin';
import { captureStdio } from './stdio';

const contexts = new AsyncLocalStorage<CellContext>();
let router: OutputRouter | undefined;

export class OutputRouter {
  /** The newest request's context: output whose async origin is unknown goes there, like ipykernel's parent. */
  private latest: CellContext | undefined;
  private readonly streams: StreamCoalescer;
  private readonly inputs: InputRequests;
  private readonly restore: Array<() => void> = [];

  constructor(private readonly session: Session) {
    this.streams = new StreamCoalescer((ctx, name, text) => this.session.send('iopub', 'stream', { name, text }, ctx.parent));
    this.inputs = new InputRequests((ctx, content) => {
      this.flush();
      this.session.send('stdin', 'input_request', content, ctx.parent, ctx.identities);
    });
  }

  /** Runs fn (and everything it starts) with ctx as the place its output goes. */
  run<T>(ctx: CellContext, fn: () => T): T {
    this.latest = ctx;
    return contexts.run(ctx, fn);
  }

  /** Runs fn with ctx as the place its output goes, without making ctx the newest request's (comm handlers). */
  within<T>(ctx: CellContext, fn: () => T): T {
    return contexts.run(ctx, fn);
  }

  current(): CellContext | undefined {
    return contexts.getStore() ?? this.latest;
  }

  write(name: StreamName, text: string): void {
    const ctx = this.current();
    if (!ctx || !text) return;
    this.streams.write(ctx, name, text);
  }

  /** Sends buffered stream text now; called before anything that must come after it (results, replies, idle). */
  flush(): void {
    this.streams.flush();
  }

  /** Sends an iopub message (display_data, clear_output...) in order with the streams of the current context. */
  publish<T extends MessageType>(msgType: T, content: ContentOf<T>, ctx = this.current()): void {
    this.flush();
    if (ctx) this.session.send('iopub', msgType, content, ctx.parent);
  }

  requestInput(prompt: string, password: boolean): Promise<string> {
    return this.inputs.request(this.current(), prompt, password);
  }

  /** An input_reply from the stdin channel answers the oldest input() still waiting. */
  deliverInput(value: string): void {
    this.inputs.deliver(value);
  }

  /** Routes process.stdout/stderr (and so console.*) of this process to the notebook. */
  captureStdio(): void {
    this.restore.push(captureStdio((name, text) => this.write(name, text)));
  }

  uninstall(): void {
    this.flush();
    for (const r of this.restore.splice(0)) r();
    if (router === this) {
      router = undefined;
      setDisplayHook(undefined);
    }
  }
}

/** Makes router the one the notebook functions use (one kernel per process). */
export function installOutput(session: Session): OutputRouter {
  const r = (router = new OutputRouter(session));
  r.captureStdio();
  // Runtime code (progress bars, timelines) displays through this hook without knowing about the kernel.
  setDisplayHook({
    display: (data, opts) =>
      r.publish(opts.update ? 'update_display_data' : 'display_data', { data: data as MimeBundle, metadata: {}, transient: opts.display_id ? { display_id: opts.display_id } : {} }),
  });
  return r;
}

export function outputRouter(): OutputRouter | undefined {
  return router;
}
