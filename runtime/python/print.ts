/** Python's print(). */
import { TypeError } from './errors';
import { isPlainObject, pyStr, pyTypeName } from './repr';

export interface Writable {
  write(s: string): unknown;
  flush?(): unknown;
}

export interface PrintOptions {
  sep?: string | null;
  end?: string | null;
  file?: Writable | null;
  flush?: boolean;
}

const OPTION_KEYS = new Set(['sep', 'end', 'file', 'flush']);

/** The trailing options rule: a plain object whose keys are all among sep/end/file/flush. */
function isPrintOptions(x: unknown): x is PrintOptions {
  if (!isPlainObject(x)) return false;
  const keys = Object.keys(x);
  return keys.length > 0 && keys.every((k) => OPTION_KEYS.has(k));
}

function checkStr(name: string, v: unknown, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${name} must be None or a string, not ${pyTypeName(v)}`);
  return v;
}

/**
 * print(...values, {sep, end, file, flush}). The LAST argument is taken as options only when it is a
 * plain object with at least one key and every key among sep/end/file/flush; print({}) prints `{}`.
 * Writes str() of each value joined by sep (' ') plus end ('\n') in ONE write to file (process.stdout,
 * looked up per call so the kernel's redirection applies).
 */
export function print(...args: unknown[]): void {
  const opts: PrintOptions = args.length > 0 && isPrintOptions(args[args.length - 1]) ? (args.pop() as PrintOptions) : {};
  const sep = checkStr('sep', opts.sep, ' ');
  const end = checkStr('end', opts.end, '\n');
  const file = opts.file ?? process.stdout;
  let text = '';
  for (let i = 0; i < args.length; i++) text += (i > 0 ? sep : '') + pyStr(args[i]);
  file.write(text + end);
  if (opts.flush) (file as Writable).flush?.();
}
