/**
 * progress(): a tqdm-like bar around any iterable or async iterable —
 * `for await (const f of progress(as_completed(fs), {total: fs.length}))`, `for await (const r of progress(executor.map(...)))`.
 * Shown through the display hook under one display_id, so a notebook updates one output in place and a terminal
 * redraws one line. Throttled by time, and the clock is read only every `stride` items (adapted to the loop's speed), so
 * a tight 100 000-item loop pays for a counter increment per item and emits about one update per `mininterval`.
 *
 * Where the frontend renders widgets (widgets/frontend.ts says when), the bar is a tqdm.notebook-like widget
 * (widgets/progress-view.ts) updated in place, with a Cancel button when it watches futures (an array of futures, or
 * as_completed(...)); its display_data still carries the text and HTML meter, and the final state replaces them, so
 * nbval, `tsfutures run` and a saved notebook see what they saw before.
 */
import { display, newDisplayId } from '../display-hook';
import { escapeXml } from './svg';
import { formatMeter, meterParts, type ProgressState } from './progress-format';
import { frontend_has_widgets } from '../widgets/frontend';
import { ProgressView, type Cancellable } from '../widgets/progress-view';
import { as_completed, Future, WATCHES } from '../futures/_base';

export interface ProgressOptions {
  /** Number of items expected; taken from `length`/`size` of the input when it has one. */
  total?: number;
  desc?: string;
  /** Minimum seconds between two displayed updates. */
  mininterval?: number;
}

type Ending = 'done' | 'stopped' | 'error';

const ACCENT: Record<Ending | 'running', string> = { running: '#2f7ed8', done: '#009E73', stopped: '#D55E00', error: '#D55E00' };

/** The counting and display part, independent of how items arrive. */
export class ProgressBar {
  n = 0;
  readonly total: number | undefined;
  readonly desc: string | undefined;
  readonly displayId = newDisplayId('progress');
  /** Number of display calls made (tests check that it stays bounded). */
  updates = 0;
  private readonly minintervalMs: number;
  private t0 = 0;
  private lastPrint = 0;
  private lastCheck = 0;
  private lastCheckN = 0;
  private stride = 1;
  private nextCheck = 1;
  private closed = false;
  private opened = false;
  private phase: Ending | 'running' = 'running';
  /** The widget bar, when the frontend renders widgets. */
  private view: ProgressView | undefined;

  /** `watched`: the futures a Cancel button may cancel. */
  constructor(opts: ProgressOptions = {}, private readonly watched?: readonly Cancellable[]) {
    this.total = opts.total;
    this.desc = opts.desc;
    this.minintervalMs = Math.max(0, (opts.mininterval ?? 0.1) * 1000);
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.t0 = this.lastPrint = this.lastCheck = performance.now();
    this.emit('running', this.t0);
  }

  /** One item done: the hot path, a compare per item; the clock is read every `stride` items. */
  tick(): void {
    if (++this.n >= this.nextCheck) this.check();
  }

  private check(): void {
    const now = performance.now();
    const dn = this.n - this.lastCheckN;
    const dt = now - this.lastCheck;
    // Aim at ~4 clock reads per mininterval; grow at most 2× per check so a loop that slows down is noticed soon.
    const wanted = dt > 0 ? Math.floor((dn * this.minintervalMs) / 4 / dt) : this.stride * 2;
    this.stride = Math.max(1, Math.min(wanted, this.stride * 2));
    this.lastCheck = now;
    this.lastCheckN = this.n;
    this.nextCheck = this.n + this.stride;
    if (now - this.lastPrint >= this.minintervalMs) {
      this.lastPrint = now;
      this.emit('running', now);
    }
  }

  /** Shows the final state; idempotent. `stopped` = the loop was left early, `error` = the source threw. */
  close(ending: Ending = 'done'): void {
    if (this.closed) return;
    this.open();
    this.closed = true;
    this.emit(ending, performance.now());
  }

  state(now = performance.now()): ProgressState {
    return { n: this.n, total: this.total, desc: this.desc, elapsed: (now - this.t0) / 1000 };
  }

  /** How many watched futures the Cancel button cancelled. */
  get cancelled(): number {
    return this.view?.cancelled ?? 0;
  }

  private emit(phase: Ending | 'running', now: number): void {
    this.phase = phase;
    const state = this.state(now);
    if (this.updates === 0 && frontend_has_widgets()) this.view = new ProgressView(this.total, this.watched, () => this.emit(this.phase, performance.now()));
    const note = this.view?.cancelledNote() ?? '';
    const text = { 'text/plain': formatMeter(state) + note, 'text/html': progressHtml(state, phase, note) };
    if (this.view) {
      this.view.show(state, phase);
      // The widget updates itself; the output is only replaced by the final state (for saved notebooks and nbval).
      if (this.updates === 0 || phase !== 'running') display(this.view.bundle(text), { display_id: this.displayId, update: this.updates > 0, final: phase !== 'running' });
    } else display(text, { display_id: this.displayId, update: this.updates > 0, final: phase !== 'running' });
    this.updates++;
  }
}

function progressHtml(state: ProgressState, phase: Ending | 'running', note = ''): string {
  const { prefix, pct, stats } = meterParts(state);
  // Without a total the bar is indeterminate while running and full once done, like tqdm.notebook.
  const value =
    state.total !== undefined ? `value="${state.n}" max="${state.total}"` : phase === 'running' ? '' : 'value="1" max="1"';
  const label = (prefix ? `${prefix}` : '') + (pct ?? '');
  return (
    `<div class="tsf-progress" style="display:flex;align-items:center;gap:0.6em;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px">` +
    (label ? `<span style="white-space:pre">${escapeXml(label)}</span>` : '') +
    `<progress ${value} style="width:22em;height:1.1em;accent-color:${ACCENT[phase]}"></progress>` +
    `<span style="font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre">${escapeXml(stats + note)}</span>` +
    (phase === 'error' || phase === 'stopped' ? `<span style="color:${ACCENT[phase]}">(${phase})</span>` : '') +
    `</div>`
  );
}

function sizeOf(x: unknown): number | undefined {
  const o = x as { length?: unknown; size?: unknown };
  if (typeof o.length === 'number') return o.length;
  if (typeof o.size === 'number') return o.size;
  return undefined;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Counts an item when the next one is asked for, as tqdm does, so the bar includes the loop body's work. */
class SyncProgress<T> implements IterableIterator<T> {
  private started = false;
  constructor(private readonly it: Iterator<T>, readonly bar: ProgressBar) {}
  [Symbol.iterator]() {
    return this;
  }
  next(): IteratorResult<T> {
    if (this.started) this.bar.tick();
    else this.bar.open(), (this.started = true);
    let r: IteratorResult<T>;
    try {
      r = this.it.next();
    } catch (e) {
      this.bar.close('error');
      throw e;
    }
    if (r.done) this.bar.close('done');
    return r;
  }
  return(value?: unknown): IteratorResult<T> {
    this.bar.close('stopped');
    this.it.return?.(value);
    return { done: true, value: value as T };
  }
}

class AsyncProgress<T> implements AsyncIterableIterator<T> {
  private started = false;
  constructor(private readonly it: AsyncIterator<T>, readonly bar: ProgressBar) {}
  [Symbol.asyncIterator]() {
    return this;
  }
  // Handlers made once, not per item: the hot path allocates no closures.
  private readonly settled = (r: IteratorResult<T>): IteratorResult<T> => {
    if (r.done) this.bar.close('done');
    return r;
  };
  private readonly failed = (e: unknown): never => {
    this.bar.close('error');
    throw e;
  };
  next(): Promise<IteratorResult<T>> {
    if (this.started) this.bar.tick();
    else this.bar.open(), (this.started = true);
    return this.it.next().then(this.settled, this.failed);
  }
  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.bar.close('stopped');
    await this.it.return?.(value);
    return { done: true, value: value as T };
  }
}

/** An array or Set of futures, which progress() follows as they complete. */
function futuresIn(source: unknown): Future<unknown>[] | undefined {
  if (!Array.isArray(source) && !(source instanceof Set)) return undefined;
  const items = [...(source as Iterable<unknown>)];
  return items.length && items.every((f) => f instanceof Future) ? (items as Future<unknown>[]) : undefined;
}

/**
 * `progress(futures)`: yields the futures as they complete (as_completed), with a Cancel button where widgets render.
 * `progress(as_completed(fs), {total})` watches the same futures.
 */
export function progress<T>(futures: readonly Future<T>[] | Set<Future<T>>, opts?: ProgressOptions): AsyncIterableIterator<Future<T>> & { bar: ProgressBar };
export function progress<T>(source: AsyncIterable<T>, opts?: ProgressOptions): AsyncIterableIterator<T> & { bar: ProgressBar };
export function progress<T>(source: Iterable<T>, opts?: ProgressOptions): IterableIterator<T> & { bar: ProgressBar };
export function progress<T>(
  input: Iterable<T> | AsyncIterable<T>,
  opts: ProgressOptions = {},
): (IterableIterator<T> | AsyncIterableIterator<T>) & { bar: ProgressBar } {
  const futures = futuresIn(input);
  const source = futures ? (as_completed(futures) as unknown as AsyncIterable<T>) : input;
  const tagged = (source as { [WATCHES]?: Set<Future<unknown>> })[WATCHES];
  const watched = futures ?? (tagged ? [...tagged] : undefined);
  const bar = new ProgressBar({ ...opts, total: opts.total ?? sizeOf(futures ?? source) ?? watched?.length }, watched);
  return isAsyncIterable(source)
    ? new AsyncProgress(source[Symbol.asyncIterator](), bar)
    : new SyncProgress((source as Iterable<T>)[Symbol.iterator](), bar);
}
