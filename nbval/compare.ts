/**
 * Compares a cell's stored outputs with fresh ones, output by output, after sanitizing both sides.
 * What counts: stream text (stdout, stderr), the text mimetypes of execute_result/display_data
 * (images only on request), and ename/evalue of errors; never metadata, execution counts or tracebacks.
 */
import type { NbOutput } from '../kernel/client/outputs';
import { unifiedDiff } from './diff';
import type { Sanitizer } from './sanitize';

export interface CompareOptions {
  sanitizer: Sanitizer;
  checkImages?: boolean;
}

/** One output reduced to what is compared: a label (kind) and a text rendering. */
export interface Comparable {
  label: string;
  text: string;
}

export interface Mismatch {
  /** 0-based position in the comparable outputs. */
  index: number;
  message: string;
}

const TEXT_MIMES = new Set(['text/plain', 'text/html', 'text/markdown', 'text/latex', 'application/json', 'image/svg+xml']);

function comparedMime(mime: string, checkImages: boolean): boolean {
  return TEXT_MIMES.has(mime) || mime.startsWith('text/') || (checkImages && mime.startsWith('image/'));
}

function mimeText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return JSON.stringify(value, null, 1);
}

/**
 * Outputs as compared: consecutive streams of one name merged (a kernel may split them differently
 * from run to run), outputs with nothing comparable (e.g. only an image) dropped.
 */
export function comparable(outputs: readonly NbOutput[], { sanitizer, checkImages = false }: CompareOptions): Comparable[] {
  const result: Comparable[] = [];
  let lastStream: string | undefined;
  for (const output of outputs) {
    if (output.output_type === 'stream') {
      const label = `stream ${output.name}`;
      if (lastStream === label) result[result.length - 1].text += output.text;
      else result.push({ label, text: output.text });
      lastStream = label;
      continue;
    }
    lastStream = undefined;
    if (output.output_type === 'error') {
      result.push({ label: 'error', text: `${output.ename}: ${output.evalue}\n` });
      continue;
    }
    const mimes = Object.keys(output.data).filter((m) => comparedMime(m, checkImages)).sort();
    if (mimes.length === 0) continue;
    const text = mimes.map((m) => `[${m}]\n${mimeText(output.data[m])}\n`).join('');
    result.push({ label: output.output_type, text });
  }
  for (const c of result) c.text = sanitizer.apply(c.text);
  return result;
}

/** Mismatches between stored (expected) and fresh (actual) outputs; empty when they agree. */
export function compareOutputs(expected: readonly NbOutput[], actual: readonly NbOutput[], options: CompareOptions): Mismatch[] {
  const want = comparable(expected, options);
  const got = comparable(actual, options);
  const mismatches: Mismatch[] = [];
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w && g && w.label === g.label && w.text === g.text) continue;
    const what = w && g && w.label !== g.label ? `${w.label} expected, got ${g.label}` : !g ? `missing ${w.label}` : !w ? `unexpected ${g.label}` : w.label;
    const diff = unifiedDiff(w?.text ?? '', g?.text ?? '', {
      fromLabel: `expected (stored output ${i}${w ? `, ${w.label}` : ''})`,
      toLabel: `actual (fresh output ${i}${g ? `, ${g.label}` : ''})`,
    });
    mismatches.push({ index: i, message: `output ${i}: ${what}\n${diff}` });
  }
  return mismatches;
}
