/**
 * Output routing: everything a cell prints or displays goes to iopub with the parent header of the execute_request
 * that started the work. The parent is kept in an AsyncLocalStorage, so a timer or an executor task started by a
 * cell still prints into that cell after the cell finished (as with ipykernel's threads, but exact).
 *
 * Also the notebook functions every cell gets: display, clear_output, input (see notebookGlobals).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Header } from '../transport/wire';
import type { Session } from '../protocol/session';
import { REPR, repr } from '../../runtime/python/repr';
import { setDisplayHook } from '../../runtime/display-hook';

/** What output needs to know about the request whose work is running. */
export interface CellContext {
  parent: Header;
  identities: Uint8Array[];
  allowStdin: boolean;
}

type StreamName = 'stdout' | 'stderr';
export type MimeBundle = Record<string, unknown>;

/** Writes arriving within this window are sent as one stream message; older ones are flushed by the next write. */
const COALESCE_MS = 10;
const MAX_HOLD_MS = 50;

const contexts = new AsyncLocalStorage<CellContext>();
let router: OutputRouter | undefined;

export class OutputRouter {
  /** The newest request's context: output whose async origin is unknown goes there, like ipykernel's parent. */
  private latest: CellContext | undefined;
  private pending: { ctx: CellContext; name: StreamName; text: string; since: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private readonly inputWaiters: Array<(value: string) => void> = [];
  private readonly restore: Array<() => void> = [];

  constructor(private readonly session: Session) {}

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
    this.session.send('iopub', 'stream', { name: p.name, text: p.text }, p.ctx.parent);
    this.lastSent = Date.now();
  }

  /** Sends an iopub message (display_data, clear_output...) in order with the streams of the current context. */
  publish(msgType: string, content: object, ctx = this.current()): void {
    this.flush();
    if (ctx) this.session.send('iopub', msgType, content, ctx.parent);
  }

  requestInput(prompt: string, password: boolean): Promise<string> {
    const ctx = this.current();
    if (!ctx?.allowStdin) {
      const e = new Error('raw_input was called, but this frontend does not support input requests.');
      e.name = 'StdinNotImplementedError';
      return Promise.reject(e);
    }
    this.flush();
    this.session.send('stdin', 'input_request', { prompt, password }, ctx.parent, ctx.identities);
    return new Promise((resolve) => this.inputWaiters.push(resolve));
  }

  /** An input_reply from the stdin channel answers the oldest input() still waiting. */
  deliverInput(value: string): void {
    this.inputWaiters.shift()?.(value);
  }

  /** Routes process.stdout/stderr (and so console.*) of this process to the notebook. */
  captureStdio(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      const original = stream.write;
      stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        const done = typeof encoding === 'function' ? encoding : cb;
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
        this.write(name, text);
        if (typeof done === 'function') process.nextTick(done as () => void);
        return true;
      }) as typeof stream.write;
      this.restore.push(() => (stream.write = original));
    }
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
      r.publish(opts.update ? 'update_display_data' : 'display_data', { data, metadata: {}, transient: opts.display_id ? { display_id: opts.display_id } : {} }),
  });
  return r;
}

export function outputRouter(): OutputRouter | undefined {
  return router;
}

const REPR_METHODS: Array<[string, string]> = [
  ['_repr_html_', 'text/html'],
  ['_repr_markdown_', 'text/markdown'],
  ['_repr_svg_', 'image/svg+xml'],
  ['_repr_png_', 'image/png'],
  ['_repr_jpeg_', 'image/jpeg'],
  ['_repr_latex_', 'text/latex'],
  ['_repr_json_', 'application/json'],
];

export interface Formatted {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** Deno's display convention: `obj[Symbol.for('Jupyter.display')]()` returns the whole mime bundle, or a promise of it. */
const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

function reportFailure(what: string, e: unknown): void {
  process.stderr.write(`${what} failed: ${(e as Error)?.stack ?? String(e)}\n`);
}

function isBundle(x: unknown): x is MimeBundle {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The bundle of an object following Deno's convention (as Deno, it replaces the other formatters), undefined
 * when the object does not follow it or its method fails (reported, then the usual formatting applies).
 */
function denoBundle(obj: unknown): Formatted | Promise<Formatted | undefined> | undefined {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return undefined;
  const method = (obj as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (typeof method !== 'function') return undefined;
  const checked = (bundle: unknown): Formatted | undefined => {
    if (isBundle(bundle)) return { data: bundle, metadata: {} };
    reportFailure('[Symbol.for("Jupyter.display")]', new TypeError(`it must return a mime bundle object, not ${repr(bundle)}`));
    return undefined;
  };
  try {
    const bundle: unknown = method.call(obj);
    if (bundle instanceof Promise) return bundle.then(checked, (e) => void reportFailure('[Symbol.for("Jupyter.display")]', e));
    return checked(bundle);
  } catch (e) {
    reportFailure('[Symbol.for("Jupyter.display")]', e);
    return undefined;
  }
}

/**
 * The output of a value: Deno's Jupyter.display bundle when the object has one (a promise when that method is
 * async), else IPython's formatting (formatBundle).
 */
export function formatOutput(obj: unknown): Formatted | Promise<Formatted> {
  const deno = denoBundle(obj);
  if (deno instanceof Promise) return deno.then((f) => f ?? formatBundle(obj));
  return deno ?? formatBundle(obj);
}

/**
 * IPython's display formatter: text/plain is the Python repr, and objects add richer mimetypes through
 * _repr_mimebundle_() (returning data or [data, metadata]) or the _repr_*_() methods. A failing formatter is
 * reported on stderr and skipped, as IPython does, so one bad method does not lose the whole output.
 */
export function formatBundle(obj: unknown): Formatted {
  const data: MimeBundle = {};
  const metadata: Record<string, unknown> = {};
  const attempt = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      reportFailure(what, e);
    }
  };
  attempt('repr', () => (data['text/plain'] = repr(obj)));
  if ((typeof obj === 'object' && obj !== null) || typeof obj === 'function') {
    const o = obj as Record<string, unknown>;
    for (const [method, mime] of REPR_METHODS) {
      if (typeof o[method] === 'function') {
        attempt(method, () => {
          const v = (o[method] as () => unknown).call(obj);
          if (v !== undefined && v !== null) data[mime] = v;
        });
      }
    }
    if (typeof o._repr_mimebundle_ === 'function') {
      attempt('_repr_mimebundle_', () => {
        const r = (o._repr_mimebundle_ as () => unknown).call(obj);
        const [d, md] = Array.isArray(r) ? r : [r, undefined];
        if (d) Object.assign(data, d);
        if (md) Object.assign(metadata, md);
      });
    }
  }
  return { data, metadata };
}

export interface DisplayOptions {
  /** true makes up a fresh id; a string names the display so it can be updated later. */
  display_id?: string | boolean;
  /** Replace the output shown earlier under display_id instead of adding a new one. */
  update?: boolean;
  /** obj is already a mimebundle ({'text/html': ...}). */
  raw?: boolean;
  metadata?: Record<string, unknown>;
}

/** What display(obj, {display_id}) returns: IPython's DisplayHandle. */
export class DisplayHandle {
  constructor(readonly display_id: string) {}
  display(obj: unknown, options: Omit<DisplayOptions, 'display_id' | 'update'> = {}): void {
    display(obj, { ...options, display_id: this.display_id });
  }
  update(obj: unknown, options: Omit<DisplayOptions, 'display_id' | 'update'> = {}): void {
    display(obj, { ...options, display_id: this.display_id, update: true });
  }
  [REPR](): string {
    return `<DisplayHandle display_id=${this.display_id}>`;
  }
}

export function display(obj: unknown, options: DisplayOptions = {}): DisplayHandle | undefined {
  const id = options.display_id === true ? randomUUID().replace(/-/g, '') : options.display_id || undefined;
  const send = ({ data, metadata }: Formatted) => {
    Object.assign(metadata, options.metadata);
    const content = { data, metadata, transient: id ? { display_id: id } : {} };
    if (router) router.publish(options.update ? 'update_display_data' : 'display_data', content, ctx);
    else process.stdout.write(`${String(data['text/plain'] ?? '')}\n`); // outside a kernel: plain text is all there is
  };
  const ctx = router?.current();
  const formatted = options.raw ? { data: obj as MimeBundle, metadata: {} } : formatOutput(obj);
  if (formatted instanceof Promise) void formatted.then(send);
  else send(formatted);
  return id ? new DisplayHandle(id) : undefined;
}

export function clear_output(options: { wait?: boolean } = {}): void {
  router?.publish('clear_output', { wait: Boolean(options.wait) });
}

/** Python's input(): asks the frontend (input_request on stdin) and resolves with what the user typed. */
export function input(prompt = '', options: { password?: boolean } = {}): Promise<string> {
  if (!router) return Promise.reject(new Error('input() needs a running kernel'));
  return router.requestInput(String(prompt), Boolean(options.password));
}

/** The functions the cell engine puts into every cell's scope. */
export function notebookGlobals(): Record<string, unknown> {
  return { display, clear_output, input, DisplayHandle };
}
