/**
 * show_executor(executor): a live view of one executor — how many of its tasks are pending, running, finished,
 * cancelled or raised, and one row per worker with the task it runs and for how long. It reads what executors
 * already record for timelines (timeline/record.ts: submit/start stamps, worker, function) and their shutdown
 * (noteShutdown), so it works for every pool that stamps its tasks and needs nothing of their internals.
 *
 * Where widgets render: VBox[HTML(counts), IntProgress(done of submitted), HTML(workers)], refreshed at most
 * REFRESH_MS apart until the executor is shut down and idle. Elsewhere: the text/HTML snapshot, replaced when the
 * counts change and at the end (so a saved notebook, nbval and `tsfutures run` show the final state).
 */
import { display, newDisplayId } from '../display-hook';
import { historyOf, isShutDown, onShutdown, timesOf } from '../timeline/record';
import { formatInterval } from '../timeline/progress-format';
import { HTML, IntProgress, Layout, VBox } from './controls';
import { frontend_has_widgets } from './frontend';
import { VIEW_MIMETYPE } from './widget';
import { setInterval, clearInterval } from 'node:timers';

const REFRESH_MS = 200;

interface FutureLike {
  done(): boolean;
  running(): boolean;
  cancelled(): boolean;
  _raised?: boolean;
}

export interface ExecutorCounts {
  pending: number;
  running: number;
  finished: number;
  cancelled: number;
  raised: number;
}

export interface WorkerRow {
  worker: string;
  /** The running task's function name and submission index, or undefined when idle. */
  task: string | undefined;
  /** Seconds the current task has run. */
  elapsed: number | undefined;
  /** Tasks this worker has finished. */
  done: number;
}

export interface ExecutorSnapshot {
  name: string;
  counts: ExecutorCounts;
  workers: WorkerRow[];
  shutdown: boolean;
}

/** What the executor looks like now, from its recorded tasks. */
export function executorSnapshot(executor: object, now = performance.now()): ExecutorSnapshot {
  const counts: ExecutorCounts = { pending: 0, running: 0, finished: 0, cancelled: 0, raised: 0 };
  const rows = new Map<string, WorkerRow>();
  const row = (worker: string) => {
    let r = rows.get(worker);
    if (!r) rows.set(worker, (r = { worker, task: undefined, elapsed: undefined, done: 0 }));
    return r;
  };
  // Live workers first (pool executors list them), so an idle one has its row too.
  for (const id of ((executor as { _worker_ids?: unknown })._worker_ids as unknown[] | undefined) ?? []) row(String(id));
  historyOf(executor).forEach((f, index) => {
    const future = f as FutureLike;
    const times = timesOf(f);
    const worker = times?.worker !== undefined ? row(String(times.worker)) : undefined;
    if (future.cancelled()) counts.cancelled++;
    else if (future.done()) {
      if (future._raised) counts.raised++;
      else counts.finished++;
      if (worker) worker.done++;
    } else if (future.running()) {
      counts.running++;
      if (worker && times) {
        worker.task = `${times.label ?? 'task'} #${index}`;
        worker.elapsed = (now - times.start) / 1000;
      }
    } else counts.pending++;
  });
  const workers = [...rows.values()].sort((a, b) => a.worker.localeCompare(b.worker, 'en', { numeric: true }));
  return { name: executor.constructor.name, counts, workers, shutdown: isShutDown(executor) };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const seconds = (s: number) => (s < 60 ? `${s.toFixed(1)}s` : formatInterval(s));

function countsLine({ counts }: ExecutorSnapshot): string {
  return `pending ${counts.pending}, running ${counts.running}, finished ${counts.finished}, cancelled ${counts.cancelled}, raised ${counts.raised}`;
}

export function snapshotText(s: ExecutorSnapshot): string {
  const lines = [`${s.name}${s.shutdown ? ' (shut down)' : ''}: ${countsLine(s)}`];
  for (const w of s.workers) lines.push(`  worker ${w.worker}: ${w.task ? `${w.task} for ${seconds(w.elapsed ?? 0)}` : 'idle'}, ${w.done} done`);
  return lines.join('\n');
}

const CELL = 'style="padding:1px 10px;text-align:left"';
const NUM = 'style="padding:1px 10px;text-align:right;font-variant-numeric:tabular-nums"';

function countsHtml(s: ExecutorSnapshot): string {
  const c = s.counts;
  const cells = (['pending', 'running', 'finished', 'cancelled', 'raised'] as const).map((k) => `<td ${NUM}><b>${c[k]}</b> ${k}</td>`).join('');
  return `<div style="font-family:system-ui,sans-serif;font-size:13px"><b>${escapeHtml(s.name)}</b>${s.shutdown ? ' (shut down)' : ''}<table style="border-collapse:collapse"><tr>${cells}</tr></table></div>`;
}

function workersHtml(s: ExecutorSnapshot): string {
  if (!s.workers.length) return '<div style="font-family:system-ui,sans-serif;font-size:13px;color:#666">no worker has started yet</div>';
  const rows = s.workers
    .map((w) => `<tr><td ${CELL}>${escapeHtml(w.worker)}</td><td ${CELL}>${w.task ? escapeHtml(w.task) : '<span style="color:#888">idle</span>'}</td><td ${NUM}>${w.elapsed !== undefined ? seconds(w.elapsed) : ''}</td><td ${NUM}>${w.done}</td></tr>`)
    .join('');
  return `<table style="border-collapse:collapse;font-family:system-ui,sans-serif;font-size:13px"><tr><th ${CELL}>worker</th><th ${CELL}>current task</th><th ${NUM}>elapsed</th><th ${NUM}>done</th></tr>${rows}</table>`;
}

/** The live view of one executor; `stop()` ends the refreshing early. */
export class ExecutorDashboard {
  readonly displayId = newDisplayId('executor');
  private readonly timer: NodeJS.Timeout;
  private widgets: { counts: HTML; bar: IntProgress; workers: HTML; box: VBox } | undefined;
  private lastText = '';
  private stopped = false;

  constructor(readonly executor: object) {
    if (frontend_has_widgets()) {
      const counts = new HTML();
      const bar = new IntProgress({ min: 0, max: 1, value: 0, layout: new Layout({ width: '30em' }) });
      const workers = new HTML();
      this.widgets = { counts, bar, workers, box: new VBox([counts, bar, workers]) };
    }
    this.refresh(true);
    this.timer = setInterval(() => this.refresh(false), REFRESH_MS);
    this.timer.unref(); // a dashboard never keeps a plain Node process alive
    // The final view as the last task ends, before `await executor.shutdown()` returns to the cell (so a notebook
    // runner, which moves on when the cell ends, records it), not at the next tick.
    onShutdown(executor, () => {
      const open = historyOf(executor).filter((f) => !(f as FutureLike).done()) as Array<FutureLike & { add_done_callback?(fn: () => void): void }>;
      let left = open.length;
      if (left === 0) return this.stop();
      for (const f of open) f.add_done_callback?.(() => --left === 0 && this.stop());
    });
  }

  /** The executor's state now (what the view shows). */
  snapshot(): ExecutorSnapshot {
    return executorSnapshot(this.executor);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.publish(this.snapshot(), 'final');
  }

  private refresh(first: boolean): ExecutorSnapshot {
    const s = this.snapshot();
    if (first) this.publish(s, 'first');
    else if (s.shutdown && s.counts.pending + s.counts.running === 0) this.stop();
    else this.publish(s, 'update');
    return s;
  }

  private publish(s: ExecutorSnapshot, when: 'first' | 'update' | 'final'): void {
    const w = this.widgets;
    if (w) {
      w.counts.value = countsHtml(s);
      w.workers.value = workersHtml(s);
      const total = s.counts.pending + s.counts.running + s.counts.finished + s.counts.cancelled + s.counts.raised;
      w.bar.hold_sync(() => {
        w.bar.max = Math.max(1, total);
        w.bar.value = total - s.counts.pending - s.counts.running;
        w.bar.bar_style = s.counts.raised ? 'danger' : s.shutdown && s.counts.pending + s.counts.running === 0 ? 'success' : '';
      });
    }
    // Text readers see the counts only change, not every tick of the elapsed times.
    const text = snapshotText(s);
    const key = when === 'final' ? text : `${countsLine(s)} ${s.workers.map((r) => `${r.worker}:${r.task ?? ''}`).join(',')}`;
    if (when === 'update' && (w || key === this.lastText)) return;
    this.lastText = key;
    const bundle: Record<string, unknown> = { 'text/plain': text, 'text/html': countsHtml(s) + workersHtml(s) };
    if (w) bundle[VIEW_MIMETYPE] = { version_major: 2, version_minor: 0, model_id: w.box.model_id };
    display(bundle, { display_id: this.displayId, update: when !== 'first', final: when === 'final' });
  }
}

/** Shows a live dashboard of `executor` (Thread, Process or Interpreter pool) until it is shut down and idle. */
export function show_executor(executor: object): void {
  if (executor === null || typeof executor !== 'object' || typeof (executor as { submit?: unknown }).submit !== 'function') {
    throw new TypeError(`show_executor() needs an executor, not ${executor === null ? 'None' : typeof executor}`);
  }
  new ExecutorDashboard(executor);
}
