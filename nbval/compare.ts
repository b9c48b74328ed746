/**
 * Compares a cell's stored outputs with fresh ones the way nbval 0.11 does. Streams of one name are coalesced
 * into one, wherever they occur; then every output is flattened into fields (the stream name, each mimetype of
 * execute_result/display_data, ename and evalue of errors), each field keeping its values in order. The cell
 * agrees when both sides have the same fields and, field by field, the same sanitized values; the order between
 * different fields (stdout against stderr, a result against a stream) does not count. Never compared: metadata,
 * execution counts, tracebacks, PNG/JPEG images (unless asked) and widget views (their model ids are random).
 */
import { isDeepStrictEqual } from 'node:util';
import type { NbOutput, StreamOutput } from './client/outputs';
import { unifiedDiff } from './diff';
import type { Sanitizer } from './sanitize';

export interface CompareOptions {
  sanitizer: Sanitizer;
  /** Compare image/png and image/jpeg too (nbval does so only with --nbdime). */
  checkImages?: boolean;
}

export interface Mismatch {
  /** The field that differs: a stream name, a mimetype, ename or evalue. */
  field: string;
  message: string;
}

const RASTER_IMAGES = new Set(['image/png', 'image/jpeg']);
const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';

function comparedMime(mime: string, checkImages: boolean): boolean {
  return mime !== WIDGET_VIEW && (checkImages || !RASTER_IMAGES.has(mime));
}

/**
 * What a terminal or JupyterLab shows for stream text: a backspace deletes the character before it, a carriage
 * return goes back to the start of the line and what follows overwrites it (`\r\n` is a plain line end).
 */
export function applyControlCharacters(text: string): string {
  if (!text.includes('\b') && !text.includes('\r')) return text;
  let before: string;
  do {
    before = text;
    text = text.replace(/[^\n\x08]\x08/g, '');
  } while (text.length < before.length);
  return text
    .split('\n')
    .map((line) => line.split('\r').reduce((shown, overwrite) => overwrite + shown.slice(overwrite.length), ''))
    .join('\n');
}

/** All chunks of one stream name merged into the first one's place, then control characters applied. */
export function coalesceStreams(outputs: readonly NbOutput[]): NbOutput[] {
  const merged: NbOutput[] = [];
  const streams = new Map<string, StreamOutput>();
  for (const output of outputs) {
    if (output.output_type !== 'stream') {
      merged.push(output);
      continue;
    }
    const first = streams.get(output.name);
    if (first) first.text += output.text;
    else {
      const copy = { ...output };
      streams.set(output.name, copy);
      merged.push(copy);
    }
  }
  for (const stream of streams.values()) stream.text = applyControlCharacters(stream.text);
  return merged;
}

/** Field → its values in output order, strings sanitized (nbval's flattening in compare_outputs). */
export function outputFields(outputs: readonly NbOutput[], { sanitizer, checkImages = false }: CompareOptions): Map<string, unknown[]> {
  const fields = new Map<string, unknown[]>();
  const add = (field: string, value: unknown) => {
    const values = fields.get(field) ?? [];
    values.push(typeof value === 'string' ? sanitizer.apply(value) : value);
    fields.set(field, values);
  };
  for (const output of coalesceStreams(outputs)) {
    if (output.output_type === 'stream') add(output.name, output.text);
    else if (output.output_type === 'error') {
      add('ename', output.ename);
      add('evalue', output.evalue);
    } else for (const [mime, value] of Object.entries(output.data)) if (comparedMime(mime, checkImages)) add(mime, value);
  }
  return fields;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 1) + '\n';
}

function diff(field: string, expected: readonly unknown[], actual: readonly unknown[]): string {
  return unifiedDiff(expected.map(shown).join(''), actual.map(shown).join(''), {
    fromLabel: `expected (stored ${field})`,
    toLabel: `actual (fresh ${field})`,
  });
}

/**
 * Mismatches between stored (expected) and fresh (actual) outputs, empty when they agree; worded as nbval words
 * them, each with a unified diff. nbval stops at the first; all are listed here, the verdict is the same.
 */
export function compareOutputs(expected: readonly NbOutput[], actual: readonly NbOutput[], options: CompareOptions): Mismatch[] {
  const want = outputFields(expected, options);
  const got = outputFields(actual, options);
  const mismatches: Mismatch[] = [];
  for (const [field, values] of want) {
    const fresh = got.get(field);
    if (!fresh) {
      mismatches.push({ field, message: `Missing output fields from running code: ${field}\n${diff(field, values, [])}` });
    } else if (fresh.length !== values.length) {
      const counts = `${values.length} stored, ${fresh.length} fresh`;
      mismatches.push({ field, message: `dissimilar number of outputs for key "${field}" (${counts})\n${diff(field, values, fresh)}` });
    } else if (!values.every((value, i) => isDeepStrictEqual(value, fresh[i]))) {
      mismatches.push({ field, message: `mismatch '${field}'\n${diff(field, values, fresh)}` });
    }
  }
  for (const [field, fresh] of got) {
    if (!want.has(field)) mismatches.push({ field, message: `Unexpected output fields from running code: ${field}\n${diff(field, [], fresh)}` });
  }
  return mismatches;
}
