/** tqdm's text layout, checked against tqdm 4.70's format_meter: `desc:  40%|████      | 4/10 [00:01<00:01,  3.08it/s]`. */

/** tqdm.format_interval: M:SS under an hour is written MM:SS, then H:MM:SS. */
export function formatInterval(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** Below one item per second tqdm flips the unit to seconds per item. */
export function formatRate(n: number, elapsed: number): string {
  if (!(elapsed > 0) || n === 0) return '?it/s';
  const rate = n / elapsed;
  // tqdm pads the number to 5 characters ({:5.2f}).
  return rate >= 1 ? `${rate.toFixed(2).padStart(5)}it/s` : `${(1 / rate).toFixed(2).padStart(5)}s/it`;
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/** A bar of `width` cells with eighth-cell resolution, like tqdm's unicode bar. */
export function unicodeBar(fraction: number, width: number): string {
  // Floored like tqdm, so the bar is never fuller than the work done.
  const eighths = Math.floor(Math.min(1, Math.max(0, fraction)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return ('█'.repeat(full) + (part ? BLOCKS[part] : '')).padEnd(width, ' ');
}

export interface ProgressState {
  n: number;
  total?: number;
  desc?: string;
  /** Seconds since the bar started. */
  elapsed: number;
}

/** The pieces around the bar, shared by the text meter and the HTML one. */
export function meterParts({ n, total, desc, elapsed }: ProgressState): { prefix: string; pct?: string; stats: string } {
  const prefix = desc ? `${desc}: ` : '';
  const rate = formatRate(n, elapsed);
  if (total === undefined) return { prefix, stats: `${n}it [${formatInterval(elapsed)}, ${rate}]` };
  const fraction = total > 0 ? n / total : 1;
  const eta = n > 0 && elapsed > 0 ? formatInterval(((total - n) * elapsed) / n) : '?';
  return {
    prefix,
    pct: `${`${Math.round(fraction * 100)}`.padStart(3, ' ')}%`,
    stats: `${n}/${total} [${formatInterval(elapsed)}<${eta}, ${rate}]`,
  };
}

export function formatMeter(state: ProgressState, width = 10): string {
  const { prefix, pct, stats } = meterParts(state);
  if (pct === undefined) return prefix + stats;
  const fraction = state.total! > 0 ? state.n / state.total! : 1;
  return `${prefix}${pct}|${unicodeBar(fraction, width)}| ${stats}`;
}
