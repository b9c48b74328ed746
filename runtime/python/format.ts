/**
 * Python's str.format: `str.format(template, ...args)` == `template.format(*args)`.
 *
 * Keyword arguments: when the LAST argument is a plain object ({...}) AND the template names a field
 * by identifier (`{name}`, also inside a nested spec), that object is the keyword arguments and is not
 * a positional argument: `str.format('{a} {}', 1, {a: 2})` == `'{a} {}'.format(1, a=2)`. Otherwise
 * a trailing plain object is an ordinary positional value: `str.format('{}', {a: 1})` → `{'a': 1}`.
 */
import { AttributeError, IndexError, KeyError, ValueError } from './errors';
import { format } from './format-spec';
import { isPlainObject, pyStr, pyTypeName, repr, strRepr } from './repr';

interface Field {
  name: string;
  conversion: string; // '' | 'r' | 's' | 'a' (others rejected when rendered)
  spec: string;
  specHasFields: boolean;
}

interface Markup {
  literal: string;
  field?: Field;
}

/** Splits a template into literal text and replacement fields, raising CPython's parse errors in order. */
function* markups(t: string): Generator<Markup> {
  let i = 0;
  const n = t.length;
  while (i < n) {
    const start = i;
    let c = '';
    while (i < n) {
      c = t[i++]!;
      if (c === '{' || c === '}') break;
      c = '';
    }
    const atEnd = i >= n;
    if (c === '}' && (atEnd || t[i] !== '}')) throw new ValueError("Single '}' encountered in format string");
    if (c === '{' && atEnd) throw new ValueError("Single '{' encountered in format string");
    if (c === '') {
      yield { literal: t.slice(start, i) };
      return;
    }
    if (t[i] === c) {
      // '{{' or '}}': a literal brace
      i++;
      yield { literal: t.slice(start, i - 1) };
      continue;
    }
    const literal = t.slice(start, i - 1);
    // Field name: up to '}', ':' or '!' ('[...]' may contain those).
    const nameStart = i;
    let end = '';
    while (i < n) {
      const ch = t[i++]!;
      if (ch === '{') throw new ValueError("unexpected '{' in field name");
      if (ch === '[') {
        while (i < n && t[i] !== ']') i++;
        continue;
      }
      if (ch === '}' || ch === ':' || ch === '!') {
        end = ch;
        break;
      }
    }
    const name = t.slice(nameStart, end ? i - 1 : i);
    const field: Field = { name, conversion: '', spec: '', specHasFields: false };
    if (end === '!' || end === ':') {
      if (end === '!') {
        if (i >= n) throw new ValueError('end of string while looking for conversion specifier');
        field.conversion = t[i++]!;
        if (i < n) {
          const next = t[i++];
          if (next === '}') {
            yield { literal, field };
            continue;
          }
          if (next !== ':') throw new ValueError("expected ':' after conversion specifier");
        }
      }
      const specStart = i;
      let depth = 1;
      let closed = false;
      while (i < n) {
        const ch = t[i++];
        if (ch === '{') {
          field.specHasFields = true;
          depth++;
        } else if (ch === '}' && --depth === 0) {
          closed = true;
          break;
        }
      }
      if (!closed) throw new ValueError("unmatched '{' in format spec");
      field.spec = t.slice(specStart, i - 1);
    } else if (end !== '}') {
      throw new ValueError("expected '}' before end of string");
    }
    yield { literal, field };
  }
}

const DIGITS = /^\d+$/;

function firstPart(name: string): string {
  const m = /^[^.[]*/.exec(name);
  return m![0];
}

/** Whether any field (including nested ones in specs) is looked up by keyword. */
function namesKeywords(template: string, depth = 2): boolean {
  if (depth <= 0) return false;
  try {
    for (const m of markups(template)) {
      if (!m.field) continue;
      const first = firstPart(m.field.name);
      if (first !== '' && !DIGITS.test(first)) return true;
      if (m.field.specHasFields && namesKeywords(m.field.spec, depth - 1)) return true;
    }
  } catch {
    // a malformed template raises when it is rendered
  }
  return false;
}

interface State {
  args: unknown[];
  kwargs: Record<string, unknown> | undefined;
  autoIndex: number; // -1: manual numbering in use
  manual: boolean;
}

function getAttr(obj: unknown, attr: string): unknown {
  if (obj !== null && obj !== undefined && attr in Object(obj)) return (obj as Record<string, unknown>)[attr];
  throw new AttributeError(`'${pyTypeName(obj)}' object has no attribute '${attr}'`);
}

function getItem(obj: unknown, key: string | number): unknown {
  if (typeof key === 'number' && (Array.isArray(obj) || typeof obj === 'string')) {
    if (key < obj.length) return obj[key];
    throw new IndexError(`${typeof obj === 'string' ? 'string' : 'list'} index out of range`);
  }
  if (obj instanceof Map) {
    if (obj.has(key)) return obj.get(key);
    throw new KeyError(key);
  }
  if (typeof key === 'number' && obj !== null && typeof obj === 'object' && 'at' in obj && typeof obj.at === 'function') {
    return (obj as { at(i: number): unknown }).at(key); // e.g. range objects
  }
  if (obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key)) return (obj as Record<string, unknown>)[key];
  throw new KeyError(key);
}

function lookupField(name: string, st: State): unknown {
  const first = firstPart(name);
  let value: unknown;
  if (first === '') {
    if (st.manual) throw new ValueError('cannot switch from manual field specification to automatic field numbering');
    const index = st.autoIndex++;
    if (index >= st.args.length) throw new IndexError(`Replacement index ${index} out of range for positional args tuple`);
    value = st.args[index];
  } else if (DIGITS.test(first)) {
    if (st.autoIndex > 0) throw new ValueError('cannot switch from automatic field numbering to manual field specification');
    st.manual = true;
    const index = Number(first);
    if (index >= st.args.length) throw new IndexError(`Replacement index ${index} out of range for positional args tuple`);
    value = st.args[index];
  } else {
    if (!st.kwargs || !Object.hasOwn(st.kwargs, first)) throw new KeyError(first);
    value = st.kwargs[first];
  }
  let i = first.length;
  while (i < name.length) {
    if (name[i] === '.') {
      const m = /^[^.[]*/.exec(name.slice(i + 1))![0];
      if (m === '') throw new ValueError('Empty attribute in format string');
      value = getAttr(value, m);
      i += 1 + m.length;
    } else {
      const close = name.indexOf(']', i + 1);
      if (close < 0) throw new ValueError("Missing ']' in format string");
      const key = name.slice(i + 1, close);
      if (key === '') throw new ValueError('Empty attribute in format string');
      value = getItem(value, DIGITS.test(key) ? Number(key) : key);
      i = close + 1;
      if (i < name.length && name[i] !== '.' && name[i] !== '[') {
        throw new ValueError("Only '.' or '[' may follow ']' in format field specifier");
      }
    }
  }
  return value;
}

function convert(value: unknown, conversion: string): unknown {
  switch (conversion) {
    case '': return value;
    case 'r': return repr(value);
    case 's': return pyStr(value);
    case 'a': return ascii(value);
  }
  throw new ValueError(`Unknown conversion specifier ${conversion}`);
}

/** Python's ascii(): repr() with every non-ASCII character escaped. */
export function ascii(x: unknown): string {
  if (typeof x === 'string') return strRepr(x, true);
  return repr(x).replace(/[^\x00-\x7f]/gu, (ch) => strRepr(ch, true).slice(1, -1));
}

function render(template: string, st: State, depth: number): string {
  if (depth <= 0) throw new ValueError('Max string recursion exceeded');
  let out = '';
  for (const m of markups(template)) {
    out += m.literal;
    const f = m.field;
    if (!f) continue;
    const value = convert(lookupField(f.name, st), f.conversion);
    out += format(value, f.specHasFields ? render(f.spec, st, depth - 1) : f.spec);
  }
  return out;
}

/** `template.format(*args)` with the keyword rule in the module comment. */
export function formatTemplate(template: string, args: unknown[]): string {
  let kwargs: Record<string, unknown> | undefined;
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainObject(last) && namesKeywords(template)) {
    kwargs = last;
    args = args.slice(0, -1);
  }
  return render(template, { args, kwargs, autoIndex: 0, manual: false }, 2);
}
