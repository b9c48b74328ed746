/**
 * Renders task spans as an SVG Gantt chart: one lane per worker, one bar per task (start→end), the queued time
 * (submit→start) drawn apart as a thin hatched strip, submit ticks above the lanes, a seconds axis and a legend.
 * Plain SVG 1.1 with presentation attributes only (no CSS, no scripts) so JupyterLab, Notebook and VS Code all render it
 * the same, including after their sanitizers run.
 */
import { OUTCOMES, type Outcome, type TaskSpan } from './spans';

export const COLORS: Record<Outcome, string> = {
  // Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
  returned: '#009E73',
  raised: '#D55E00',
  cancelled: '#8C8C8C',
  running: '#E69F00',
  pending: '#56B4E9',
};

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const WIDTH = 760;
const LEFT = 92;
const RIGHT = 28;
const LANE_H = 30;
const BAR_H = 16;
const QUEUE_H = 3;
const TICKS_H = 14;
const AXIS_H = 26;
const LEGEND_H = 26;

/** The lane for tasks that never reached a worker (still queued, or cancelled while queued). */
export const QUEUE_LANE = 'queued';

export interface SvgInput {
  spans: readonly TaskSpan[];
  /** Time zero of the axis (ms). */
  origin: number;
  /** "Now" (ms): where running bars and queued strips end. */
  now: number;
  title?: string;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Lane names in order: workers sorted naturally (worker 2 before worker 10), the queue lane last. */
export function laneNames(spans: readonly TaskSpan[]): string[] {
  const names = [...new Set(spans.flatMap((s) => (s.lane === undefined ? [] : [s.lane])))];
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (spans.some((s) => s.lane === undefined)) names.push(QUEUE_LANE);
  return names;
}

/** Axis ticks at 1/2/5×10^k seconds, at most ~8 of them. */
export function niceTicks(maxSeconds: number): number[] {
  const raw = maxSeconds / 8;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = 0; i * step <= maxSeconds * (1 + 1e-9); i++) ticks.push(i * step);
  return ticks;
}

function formatSeconds(s: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return `${s.toFixed(decimals)}s`;
}

const r = (x: number) => Math.round(x * 10) / 10;

/** Where everything goes: computed once from the spans, read by each part of the chart. */
interface Layout {
  spans: readonly TaskSpan[];
  now: number;
  lanes: string[];
  ticks: number[];
  axisMax: number;
  plotW: number;
  /** The x of a time (ms). */
  x: (ms: number) => number;
  ticksY: number;
  lanesY: number;
  axisY: number;
  height: number;
  /** Pattern ids are global in an HTML page holding several charts, so each chart gets its own. */
  uid: string;
}

export function renderSvg({ spans, origin, now, title }: SvgInput): string {
  const layout = layOut(spans, origin, now, title);
  return [
    ...header(layout, title),
    ...laneRows(layout),
    ...axis(layout),
    ...submitTicks(layout),
    ...taskMarks(layout),
    ...nowLine(layout),
    ...legend(layout),
  ].join('\n');
}

const endOf = (s: TaskSpan, now: number) => s.end ?? now;

function layOut(spans: readonly TaskSpan[], origin: number, now: number, title: string | undefined): Layout {
  const lanes = laneNames(spans);
  const maxMs = Math.max(1, ...spans.map((s) => endOf(s, now) - origin));
  const ticks = niceTicks(maxMs / 1000);
  const axisMax = Math.max(maxMs / 1000, ticks[ticks.length - 1]);
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => r(LEFT + ((ms - origin) / 1000 / axisMax) * plotW);
  const titleH = title ? 30 : 8;
  const ticksY = titleH;
  const lanesY = ticksY + TICKS_H + 4;
  const axisY = lanesY + Math.max(1, lanes.length) * LANE_H;
  const height = axisY + AXIS_H + LEGEND_H;
  const uid = Math.random().toString(36).slice(2, 8);
  return { spans, now, lanes, ticks, axisMax, plotW, x, ticksY, lanesY, axisY, height, uid };
}

/** The svg element, the two hatch patterns, the white background and the title. */
function header({ height, uid }: Layout, title: string | undefined): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="${escapeXml(FONT)}" font-size="12" class="tsf-timeline">`,
    '<defs>',
    `<pattern id="queued-${uid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="6" height="6" fill="${COLORS.pending}" fill-opacity="0.25"/>` +
      `<rect width="2.5" height="6" fill="${COLORS.pending}"/></pattern>`,
    `<pattern id="running-${uid}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="8" height="8" fill="${COLORS.running}"/>` +
      `<rect width="3" height="8" fill="#ffffff" fill-opacity="0.35"/></pattern>`,
    '</defs>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  ];
  if (title) out.push(`<text x="${LEFT}" y="20" font-size="14" font-weight="600" fill="#222">${escapeXml(title)}</text>`);
  return out;
}

/** Lanes: alternating background, label on the left. */
function laneRows({ lanes, lanesY, plotW }: Layout): string[] {
  return lanes.map((name, i) => {
    const y = lanesY + i * LANE_H;
    return (
      `<g class="lane" data-lane="${escapeXml(name)}">` +
      `<rect x="${LEFT}" y="${y}" width="${plotW}" height="${LANE_H}" fill="${i % 2 ? '#ffffff' : '#f5f6f8'}"/>` +
      `<text x="${LEFT - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end" fill="#444">${escapeXml(name)}</text></g>`
    );
  });
}

/** Grid lines and the seconds axis. */
function axis({ ticks, axisMax, plotW, ticksY, axisY }: Layout): string[] {
  const out = [`<g class="axis" fill="#555">`];
  const step = ticks.length > 1 ? ticks[1] : 1;
  for (const t of ticks) {
    const tx = r(LEFT + (t / axisMax) * plotW);
    out.push(
      `<line x1="${tx}" y1="${ticksY}" x2="${tx}" y2="${axisY + 4}" stroke="#d0d4da" stroke-width="1"/>` +
        `<text x="${tx}" y="${axisY + 17}" text-anchor="middle">${formatSeconds(t, step)}</text>`,
    );
  }
  out.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + plotW}" y2="${axisY}" stroke="#888" stroke-width="1"/></g>`);
  return out;
}

/** Submit ticks: one short mark per submit() call, above the lanes. */
function submitTicks({ spans, x, ticksY }: Layout): string[] {
  const out = [`<g class="submits"><text x="${LEFT - 8}" y="${ticksY + 11}" text-anchor="end" fill="#777" font-size="10">submit</text>`];
  for (const s of spans) {
    const sx = x(s.submit);
    out.push(`<line class="submit-tick" x1="${sx}" y1="${ticksY + 2}" x2="${sx}" y2="${ticksY + TICKS_H}" stroke="#555" stroke-width="1"/>`);
  }
  out.push('</g>');
  return out;
}

/**
 * Queued strips first, so bars are drawn over them. A task that got a worker has its strip under its bar's lane
 * (it waited to get into that lane); one that never got a worker waits in the queue lane.
 */
function taskMarks(layout: Layout): string[] {
  const { spans, lanes, lanesY } = layout;
  const queuedStrips: string[] = [];
  const bars: string[] = [];
  for (const s of spans) {
    const laneY = lanesY + lanes.indexOf(s.lane ?? QUEUE_LANE) * LANE_H;
    const barY = laneY + (LANE_H - BAR_H) / 2 - 2;
    const strip = queuedStrip(layout, s, laneY, barY);
    if (strip) queuedStrips.push(strip);
    bars.push(taskBar(layout, s, laneY, barY));
  }
  return ['<g class="queue-strips">', ...queuedStrips, '</g>', ...bars];
}

/** The hatched strip from submit to start (or to the end, for a task that never started), if at least 1px wide. */
function queuedStrip({ x, now, uid }: Layout, s: TaskSpan, laneY: number, barY: number): string | undefined {
  const qx = x(s.submit);
  const qw = r(x(s.start ?? endOf(s, now)) - qx);
  if (qw < 1) return undefined;
  const qy = s.lane === undefined ? laneY + (LANE_H - QUEUE_H) / 2 : barY + BAR_H + 2;
  return `<rect class="queued" data-index="${s.index}" x="${qx}" y="${r(qy)}" width="${qw}" height="${QUEUE_H}" fill="url(#queued-${uid})"/>`;
}

/** A task's group: its tooltip, and its bar (with its number and, while running, an open end) or a cancel mark. */
function taskBar({ x, now, uid }: Layout, s: TaskSpan, laneY: number, barY: number): string {
  const end = endOf(s, now);
  const mid = barY + BAR_H / 2;
  const parts = [`<g class="task ${s.outcome}" data-index="${s.index}"><title>${escapeXml(tooltip(s, end))}</title>`];
  if (s.start !== undefined) {
    const bx = x(s.start);
    const bw = Math.max(2, r(x(end) - bx));
    const fill = s.outcome === 'running' ? `url(#running-${uid})` : COLORS[s.outcome];
    parts.push(
      `<rect class="bar ${s.outcome}" x="${bx}" y="${r(barY)}" width="${bw}" height="${BAR_H}" rx="3" ` +
        `fill="${fill}" stroke="${COLORS[s.outcome]}" stroke-width="1"/>`,
    );
    if (bw >= 26) {
      parts.push(`<text x="${r(bx + 5)}" y="${r(mid + 4)}" fill="#ffffff" font-size="10" font-weight="600">#${s.index}</text>`);
    }
    if (s.outcome === 'running') {
      // An open right end: the task had not finished when the chart was drawn.
      parts.push(`<path d="M${r(bx + bw + 2)} ${r(mid - 5)} l6 5 l-6 5 z" fill="${COLORS.running}"/>`);
    }
  } else if (s.outcome === 'cancelled') {
    const cx = x(end);
    const cy = laneY + LANE_H / 2;
    parts.push(
      `<path class="cancel-mark" d="M${r(cx - 4)} ${r(cy - 4)} l8 8 M${r(cx + 4)} ${r(cy - 4)} l-8 8" ` +
        `stroke="${COLORS.cancelled}" stroke-width="2"/>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function tooltip(s: TaskSpan, end: number): string {
  const seconds = (a: number, b: number) => ((b - a) / 1000).toFixed(3);
  const what = s.detail ? `${s.outcome} ${s.detail}` : s.outcome;
  return (
    `#${s.index}${s.label ? ` ${s.label}` : ''}: ${what}` +
    (s.start !== undefined ? `, ran ${seconds(s.start, end)}s` : '') +
    `, queued ${seconds(s.submit, s.start ?? end)}s` +
    (s.outcome === 'running' ? ' (still running)' : '')
  );
}

/** The "now" line, when something is still unfinished. */
function nowLine({ spans, now, x, lanesY, axisY }: Layout): string[] {
  if (!spans.some((s) => s.end === undefined)) return [];
  const nx = x(now);
  return [
    `<g class="now"><line x1="${nx}" y1="${lanesY}" x2="${nx}" y2="${axisY}" stroke="${COLORS.running}" stroke-dasharray="3 3"/>` +
      `<text x="${nx}" y="${lanesY - 2}" text-anchor="middle" fill="${COLORS.running}" font-size="10">now</text></g>`,
  ];
}

/** Legend: only the outcomes present, plus the queued strip; closes the svg element. */
function legend({ spans, now, axisY, uid }: Layout): string[] {
  const present = OUTCOMES.filter((o) => o !== 'pending' && spans.some((s) => s.outcome === o));
  const legendY = axisY + AXIS_H + 8;
  let lx = LEFT;
  const out = ['<g class="legend" fill="#333">'];
  for (const o of present) {
    const fill = o === 'running' ? `url(#running-${uid})` : COLORS[o];
    out.push(`<rect x="${lx}" y="${legendY}" width="12" height="12" rx="2" fill="${fill}"/><text x="${lx + 17}" y="${legendY + 10}">${o}</text>`);
    lx += 30 + o.length * 7;
  }
  if (spans.some((s) => (s.start ?? endOf(s, now)) > s.submit)) {
    out.push(
      `<rect x="${lx}" y="${legendY + 4}" width="16" height="${QUEUE_H}" fill="url(#queued-${uid})"/>` +
        `<text x="${lx + 21}" y="${legendY + 10}">queued (submit → start)</text>`,
    );
  }
  out.push('</g></svg>');
  return out;
}
