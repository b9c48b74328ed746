/**
 * Exact decimal rendering of IEEE doubles, the way CPython's dtoa does it: `'%.2f' % 0.125` is
 * `0.12` (round-half-even on the exact binary value), where JS's toFixed gives `0.13`. We expand the
 * double exactly with BigInt and round the digit string ourselves.
 */

/** value = 0.DIGITS × 10^decpt; digits has no leading zeros ('0' for zero). */
export interface Decimal {
  digits: string;
  decpt: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of |x| (finite x). */
export function exactDecimal(x: number): Decimal {
  x = Math.abs(x);
  if (x === 0) return { digits: '0', decpt: 1 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let decpt: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    decpt = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mant * 5n ** BigInt(-exp)).toString();
    decpt = digits.length + exp;
  }
  return { digits: digits.replace(/0+$/, '') || '0', decpt };
}

/** The shortest digits that round-trip (what repr() uses); JS's toExponential() computes exactly these. */
export function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '0', decpt: 1 };
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return { digits: mant!.replace('.', ''), decpt: Number(e) + 1 };
}

/** Round to exactly `n` significant digits, half-even on the exact value; n < 0 means "rounds to zero". */
export function roundDigits(d: Decimal, n: number): Decimal {
  const { digits } = d;
  if (n >= digits.length) return { digits: digits + '0'.repeat(n - digits.length), decpt: d.decpt };
  // n < 0: the value is below half a unit of the last kept place, so it rounds to zero.
  if (n < 0) return { digits: '', decpt: d.decpt };
  const first = digits.charCodeAt(n) - 48;
  let up: boolean;
  if (first !== 5) up = first > 5;
  else if (/[1-9]/.test(digits.slice(n + 1))) up = true;
  else up = n > 0 && (digits.charCodeAt(n - 1) - 48) % 2 === 1; // an exact tie goes to the even digit
  if (!up) return { digits: digits.slice(0, n), decpt: d.decpt };
  // A leading '1' keeps leading zeros and makes a carry out of all-9s visible as a leading '2'.
  const bumped = (BigInt('1' + digits.slice(0, n)) + 1n).toString();
  if (bumped[0] === '2') return { digits: '1' + bumped.slice(1, n), decpt: d.decpt + 1 };
  return { digits: bumped.slice(1), decpt: d.decpt };
}

/** Fixed notation of rounded digits with exactly `frac` fraction digits (no sign, no point when frac is 0). */
export function placePoint(r: Decimal, frac: number): string {
  const { digits, decpt } = r;
  let intPart: string;
  let fracPart: string;
  if (decpt <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-decpt) + digits;
  } else {
    intPart = digits.slice(0, decpt).padEnd(decpt, '0').replace(/^0+(?=\d)/, '');
    fracPart = digits.slice(decpt);
  }
  fracPart = fracPart.padEnd(frac, '0').slice(0, frac);
  return frac > 0 ? `${intPart}.${fracPart}` : intPart;
}

function sciNotation(r: Decimal, frac: number, alt: boolean, e: string): string {
  const mant = r.digits.padEnd(frac + 1, '0');
  const point = frac > 0 || alt ? '.' : '';
  return `${mant[0]}${point}${mant.slice(1, frac + 1)}${expSuffix(r.decpt - 1, e)}`;
}

export function expSuffix(e: number, ch: string): string {
  return `${ch}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function stripZeros(s: string, keepDot0: boolean): string {
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return keepDot0 && !s.includes('.') ? s + '.0' : s;
}

/** repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (!Number.isFinite(x)) return sign + 'inf';
  return sign + shortestBody(x, false);
}

function shortestBody(x: number, alt: boolean): string {
  const d = shortestDecimal(x);
  const exp = d.decpt - 1;
  if (exp < -4 || exp >= 16) return sciNotation(d, d.digits.length - 1, alt, 'e');
  return stripZeros(placePoint(d, Math.max(d.digits.length - d.decpt, 0)), true);
}

/**
 * The unsigned body of format(abs(x), spec) for the float presentation types
 * ('' e E f F g G n %); the caller adds sign, grouping and padding.
 */
export function floatBody(x: number, type: string, precision: number | undefined, alt: boolean): string {
  const upper = type === 'E' || type === 'F' || type === 'G';
  const body = floatBodyLower(Math.abs(x), type.toLowerCase(), precision, alt);
  return upper ? body.toUpperCase() : body;
}

function floatBodyLower(x: number, type: string, precision: number | undefined, alt: boolean): string {
  const pct = type === '%';
  if (pct) x *= 100;
  if (!Number.isFinite(x)) return (Number.isNaN(x) ? 'nan' : 'inf') + (pct ? '%' : '');
  if (type === '' && precision === undefined) return shortestBody(x, alt);
  const exact = exactDecimal(x);
  if (type === 'f' || pct) {
    const p = precision ?? 6;
    const s = placePoint(roundDigits(exact, exact.decpt + p), p);
    return s + (alt && p === 0 ? '.' : '') + (pct ? '%' : '');
  }
  if (type === 'e') {
    const p = precision ?? 6;
    return sciNotation(roundDigits(exact, p + 1), p, alt, 'e');
  }
  // 'g', 'n', and '' with a precision (which is 'g' that keeps a '.0' and switches to exponent one place earlier)
  const addDot0 = type === '';
  const p = precision === 0 ? 1 : precision ?? 6;
  const r = roundDigits(exact, p);
  const exp = r.decpt - 1;
  if (exp < -4 || exp >= (addDot0 ? p - 1 : p)) {
    const s = sciNotation(r, p - 1, alt, 'e');
    if (alt) return s;
    const [m, e] = s.split('e');
    return stripZeros(m!, false) + 'e' + e;
  }
  const s = placePoint(r, p - 1 - exp);
  if (alt) return s.includes('.') ? s : s + '.';
  return stripZeros(s, addDot0);
}
