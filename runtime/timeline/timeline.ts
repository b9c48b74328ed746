/**
 * Timeline: what an executor (or a list of futures) did, as an SVG Gantt chart with a one-line text summary.
 * `timeline(x)` builds one (its rich repr is the chart, so it can end a cell); `show_timeline(x)` also displays it now.
 */
import { display } from '../display-hook';
import { REPR, pyTypeName } from '../python/repr';
import { hasHistory, historyOf, timesOf } from './record';
import { renderSvg } from './svg';
import { OUTCOMES, type Outcome, type TaskSpan } from './spans';

/** The part of the Future API a timeline reads; Python's names, so any port of it fits. */
export interface FutureLike {
  cancelled(): boolean;
  done(): boolean;
  running(): boolean;
}

export interface TimelineOptions {
  title?: string;
}

/**
 * Reads the outcome through the public API; "raised" vs "returned" needs the stored outcome, which CPython keeps
 * in `_exception`/`_result` (our port keeps the names) — read without awaiting, since a timeline is drawn synchronously.
 */
function outcomeOf(f: FutureLike): { outcome: Outcome; detail?: string } {
  if (f.cancelled()) return { outcome: 'cancelled' };
  if (f.done()) {
    const o = f as unknown as { _exception?: unknown; _result?: unknown; _raised?: boolean; _resultTypeName?: string };
    // Our Future flags "raised" (JS can throw undefined); CPython's only has a non-None _exception.
    const raised = typeof o._raised === 'boolean' ? o._raised : o._exception !== undefined && o._exception !== null;
    if (raised) return { outcome: 'raised', detail: pyTypeName(o._exception) };
    // A finished task the history no longer holds (record.ts, Finished) keeps its result's type name only.
    return { outcome: 'returned', detail: o._resultTypeName ?? pyTypeName(o._result) };
  }
  return { outcome: f.running() ? 'running' : 'pending' };
}

function laneName(worker: number | string): string {
  return typeof worker === 'number' ? `worker ${worker}` : worker;
}

/** Spans for futures that carry timestamps (futures created outside an executor have none and are skipped). */
export function spansOf(futures: Iterable<object>, now: number): TaskSpan[] {
  const spans: TaskSpan[] = [];
  let index = 0;
  for (const f of futures) {
    const t = timesOf(f);
    if (!t) continue;
    const { outcome, detail } = outcomeOf(f as FutureLike);
    const started = t.start === t.start; // not NaN
    // A future can be done before its done-callbacks ran; "now" is the best end we know then.
    const ended = t.end === t.end ? t.end : outcome === 'running' || outcome === 'pending' ? undefined : now;
    spans.push({
      index: index++,
      label: t.label,
      lane: started && t.worker !== undefined ? laneName(t.worker) : undefined,
      submit: t.submit,
      start: started ? t.start : undefined,
      end: ended,
      outcome,
      detail,
    });
  }
  serialiseLanes(spans);
  return spans;
}

/**
 * A worker runs one task at a time, but a process pool hands a worker its next task before the current one ends
 * (CPython's prefetch), so "marked running" can precede "really started". Within a lane, a task therefore starts no
 * earlier than the previous one ended; one queued behind an unfinished task has not started at all (it keeps its
 * lane, drawn as waiting there).
 */
function serialiseLanes(spans: TaskSpan[]): void {
  const byLane = new Map<string, TaskSpan[]>();
  for (const s of spans) if (s.lane !== undefined && s.start !== undefined) byLane.set(s.lane, [...(byLane.get(s.lane) ?? []), s]);
  for (const lane of byLane.values()) {
    lane.sort((a, b) => a.start! - b.start!);
    let free = -Infinity;
    for (const s of lane) {
      if (free === Infinity) s.start = undefined;
      else s.start = Math.max(s.start!, free);
      free = s.end ?? Infinity;
    }
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class Timeline {
  /** Set by show_timeline: the chart is already on screen, so as a cell's last value only the summary is added. */
  shown = false;
  private svgCache: string | undefined;

  constructor(
    readonly spans: readonly TaskSpan[],
    readonly now: number = performance.now(),
    readonly title?: string,
  ) {}

  /** Builds a timeline from an executor's submitted futures, or from futures given directly. */
  static of(source: object | Iterable<object>, opts: TimelineOptions = {}): Timeline {
    const now = performance.now();
    const futures = hasHistory(source) || !(Symbol.iterator in source) ? historyOf(source) : (source as Iterable<object>);
    return new Timeline(spansOf(futures, now), now, opts.title);
  }

  /** Time zero: the first submit. */
  get origin(): number {
    return this.spans.length ? Math.min(...this.spans.map((s) => s.submit)) : this.now;
  }

  /** Seconds from the first submit to the last end (or now, if something is unfinished). */
  get duration(): number {
    if (!this.spans.length) return 0;
    return (Math.max(...this.spans.map((s) => s.end ?? this.now)) - this.origin) / 1000;
  }

  get workers(): number {
    return new Set(this.spans.flatMap((s) => (s.lane === undefined ? [] : [s.lane]))).size;
  }

  summary(): string {
    const counts = OUTCOMES.map((o) => [o, this.spans.filter((s) => s.outcome === o).length] as const)
      .filter(([, n]) => n > 0)
      .map(([o, n]) => `${n} ${o}`);
    return (
      `Timeline: ${plural(this.spans.length, 'task')} on ${plural(this.workers, 'worker')}, ${this.duration.toFixed(2)}s` +
      (counts.length ? `; ${counts.join(', ')}` : '')
    );
  }

  get svg(): string {
    return (this.svgCache ??= renderSvg({ spans: this.spans, origin: this.origin, now: this.now, title: this.title }));
  }

  _repr_mimebundle_(): Record<string, string> {
    if (this.shown) return { 'text/plain': this.summary() };
    return { 'image/svg+xml': this.svg, 'text/plain': this.summary() };
  }

  /** Shows the chart now through the display hook (the kernel's display_data, or the summary on a terminal). */
  display(): this {
    display({ 'image/svg+xml': this.svg, 'text/plain': this.summary() });
    this.shown = true;
    return this;
  }

  [REPR](): string {
    return this.summary();
  }

  toString(): string {
    return this.summary();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.summary();
  }
}

/** A timeline of an executor's tasks (or of the given futures); ending a cell with it shows the chart. */
export function timeline(source: object | Iterable<object>, opts: TimelineOptions = {}): Timeline {
  return Timeline.of(source, opts);
}

/** Displays the timeline now and returns it (ending a cell with it then adds only its one-line summary). */
export function show_timeline(source: object | Iterable<object>, opts: TimelineOptions = {}): Timeline {
  return Timeline.of(source, opts).display();
}
