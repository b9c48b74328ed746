/**
 * Python's format-spec mini-language (`format(value, spec)`, the part after ':' in str.format):
 * [[fill]align][sign][z][#][0][width][grouping][.precision][type]
 * Values: str, int (safe-integer numbers, bigint, bool), float (other numbers); any other object
 * formats as str() with an empty spec, or through its [FORMAT](spec) method, else TypeError like object.__format__.
 */
import { floatBody } from './float';
import { isPyInt, pyStr, pyTypeName } from './repr';
import { OverflowError, TypeError, ValueError } from './errors';

export const FORMAT: unique symbol = Symbol.for('tsfutures.format') as never;

export interface Spec {
  fill: string;
  align: string; // '' when not given
  sign: string;
  z: boolean;
  alt: boolean;
  width: number;
  grouping: string; // '', ',' or '_'
  precision: number | undefined;
  type: string;
  /** The '0' flag without an explicit fill: fill with '0', sign-aware ('=') for numbers unless aligned. */
  zeroPad: boolean;
}

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([\s\S])?$/u;

export function parseSpec(spec: string, value: unknown): Spec {
  // `fill` is any one character (a whole code point) but only when an align char follows it.
  const m = SPEC_RE.exec(spec);
  if (!m) {
    if (/\.(?!\d)/.test(spec)) throw new ValueError('Format specifier missing precision');
    throw new ValueError(`Invalid format specifier '${spec}' for object of type '${pyTypeName(value)}'`);
  }
  const [, fill, align, sign, z, alt, zero, width, grouping, precision, type] = m;
  if (grouping && (type === ',' || type === '_') && type !== grouping) throw new ValueError("Cannot specify both ',' and '_'.");
  const s: Spec = {
    fill: fill ?? ' ',
    align: align ?? '',
    sign: sign ?? '',
    z: !!z,
    alt: !!alt,
    width: width ? Number(width) : 0,
    grouping: grouping ?? '',
    precision: precision === undefined ? undefined : Number(precision),
    type: type ?? '',
    zeroPad: false,
  };
  // '0' before the width means "fill with 0, sign-aware" unless a fill was given explicitly.
  if (zero) {
    if (fill === undefined) {
      s.fill = '0';
      s.zeroPad = true;
    } else s.width = Number(zero + (width ?? ''));
  }
  return s;
}

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Pad `head` (sign and 0x-style prefix) + `body` to spec.width; '=' puts the fill between them. */
function pad(head: string, body: string, spec: Spec, align: string): string {
  const n = spec.width - codePointLength(head) - codePointLength(body);
  if (n <= 0) return head + body;
  const fill = spec.fill;
  switch (align) {
    case '<': return head + body + fill.repeat(n);
    case '^': return fill.repeat(n >> 1) + head + body + fill.repeat(n - (n >> 1));
    case '=': return head + fill.repeat(n) + body;
    default: return fill.repeat(n) + head + body;
  }
}

/**
 * Digits with a separator every `interval` places; with minWidth, pads with zeros (never starting
 * with a separator) until at least that wide, as CPython does for `{:010,}`.
 */
export function groupDigits(digits: string, interval: number, sep: string, minWidth = 0): string {
  const parts: string[] = [];
  let pos = digits.length;
  let left = minWidth;
  for (;;) {
    const len = Math.max(1, Math.min(interval, Math.max(pos, left)));
    parts.push(digits.slice(Math.max(0, pos - len), Math.max(0, pos)).padStart(len, '0'));
    pos -= len;
    left -= len;
    if (pos <= 0 && left <= 0) break;
    left -= sep.length;
  }
  return parts.reverse().join(sep);
}

/** Sign-aware padding and grouping of a number's integer digits; `rest` is what follows them ('.5e+10'). */
function finishNumber(negative: boolean, prefix: string, intDigits: string, rest: string, spec: Spec, interval: number): string {
  const sign = negative ? '-' : spec.sign === '-' ? '' : spec.sign;
  const head = sign + prefix;
  const align = spec.align || (spec.zeroPad ? '=' : '>');
  let digits = intDigits;
  if (spec.grouping) {
    const zeroFilled = spec.fill === '0' && align === '=';
    const minWidth = zeroFilled ? Math.max(spec.width - head.length - codePointLength(rest), 0) : 0;
    digits = groupDigits(intDigits, interval, spec.grouping, minWidth);
  }
  return pad(head, digits + rest, spec, align);
}

const unknownCode = (type: string, value: unknown) =>
  new ValueError(`Unknown format code '${type}' for object of type '${pyTypeName(value)}'`);

function checkGrouping(spec: Spec, type: string): void {
  if (!spec.grouping) return;
  const ok = 'defgEFG%'.includes(type) || (spec.grouping === '_' && 'boxX'.includes(type));
  if (!ok) throw new ValueError(`Cannot specify '${spec.grouping}' with '${type}'.`);
}

export function formatString(s: string, spec: Spec): string {
  const type = spec.type || 's';
  checkGrouping(spec, type);
  if (type !== 's') throw unknownCode(type, s);
  if (spec.sign) throw new ValueError('Sign not allowed in string format specifier');
  if (spec.alt) throw new ValueError('Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new ValueError("'=' alignment not allowed in string format specifier");
  if (spec.precision !== undefined && codePointLength(s) > spec.precision) s = [...s].slice(0, spec.precision).join('');
  return pad('', s, spec, spec.align || '<');
}

const BASES: Record<string, [number, string]> = { b: [2, '0b'], o: [8, '0o'], x: [16, '0x'], X: [16, '0X'], d: [10, ''], n: [10, ''] };

export function formatInt(value: bigint, spec: Spec, original: unknown = value): string {
  const type = spec.type || 'd';
  if ('eEfFgG%'.includes(type)) return formatFloat(Number(value), spec);
  checkGrouping(spec, type);
  if (type !== 'c' && !(type in BASES)) throw unknownCode(type, original);
  if (spec.precision !== undefined) throw new ValueError('Precision not allowed in integer format specifier');
  if (spec.z) throw new ValueError('Negative zero coercion (z) not allowed in integer format specifier');
  const negative = value < 0n;
  const abs = negative ? -value : value;
  if (type === 'c') {
    if (spec.sign) throw new ValueError("Sign not allowed with integer format specifier 'c'");
    if (spec.alt) throw new ValueError("Alternate form (#) not allowed with integer format specifier 'c'");
    if (negative || abs > 0x10ffffn) throw new OverflowError('%c arg not in range(0x110000)');
    return pad('', String.fromCodePoint(Number(abs)), spec, spec.align || (spec.zeroPad ? '=' : '>'));
  }
  const [base, prefix] = BASES[type]!;
  let digits = abs.toString(base);
  if (type === 'X') digits = digits.toUpperCase();
  return finishNumber(negative, spec.alt ? prefix : '', digits, '', spec, base === 10 ? 3 : 4);
}

export function formatFloat(x: number, spec: Spec): string {
  const type = spec.type;
  if (!['', 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%'].includes(type)) throw unknownCode(type, x);
  checkGrouping(spec, type || 'g');
  const body = floatBody(x, type, spec.precision, spec.alt);
  let negative = !Number.isNaN(x) && (x < 0 || Object.is(x, -0));
  if (negative && spec.z && /^[0.]+(?:[eE][-+]\d+|%)?$/.test(body)) negative = false;
  const m = /^\d+/.exec(body);
  if (!m) return finishNumber(negative, '', '', body, spec, 3); // inf / nan
  return finishNumber(negative, '', m[0], body.slice(m[0].length), spec, 3);
}

/** Python's format(value, spec). */
export function format(value: unknown, spec = ''): string {
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && FORMAT in value) {
    return (value as { [FORMAT](spec: string): string })[FORMAT](spec);
  }
  switch (typeof value) {
    case 'string': return spec === '' ? value : formatString(value, parseSpec(spec, value));
    case 'boolean': return spec === '' ? pyStr(value) : formatInt(value ? 1n : 0n, parseSpec(spec, value), value);
    case 'bigint': return spec === '' ? value.toString() : formatInt(value, parseSpec(spec, value));
    case 'number':
      if (spec === '') return pyStr(value);
      return isPyInt(value) ? formatInt(BigInt(value), parseSpec(spec, value), value) : formatFloat(value, parseSpec(spec, value));
  }
  if (spec === '') return pyStr(value);
  throw new TypeError(`unsupported format string passed to ${pyTypeName(value)}.__format__`);
}
