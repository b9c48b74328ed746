/**
 * Each case is a Python expression (run by the system CPython) and its TypeScript twin; both must give
 * the same string, or raise the same `Name: message`. All Python cases run in one interpreter.
 * Cases avoid integer-valued floats (JS's 2.0 is 2, printed as an int: see repr.ts) and float sums
 * whose result changed in CPython 3.12 (compensated summation; see python.test.ts).
 */
import { execFileSync } from 'node:child_process';
import {
  abs, format, len, list, max, min, pow, print, range, repr, sorted, str, sum, tuple, zip, enumerate,
} from '../../../runtime/python';

type Case = [python: string, ts: () => unknown];

function printed(...args: unknown[]): string {
  let out = '';
  print(...args, { file: { write: (s: string) => (out += s) } });
  return out;
}

const cases: Case[] = [
  // repr of containers, floats, strings
  ["repr([1, 'a', None, True, False, 1.5, {'a': []}, set(), {1, 2}])", () => repr([1, 'a', null, true, false, 1.5, { a: [] }, new Set(), new Set([1, 2])])],
  ['repr([0.1, 0.1 + 0.2, 1e16, 1e22, 1e-4, 1e-5, -0.0, 123456789012345680.0, 5e-324, 1.7976931348623157e308])', () => repr([0.1, 0.1 + 0.2, 1e16, 1e22, 1e-4, 1e-5, -0, 123456789012345680, 5e-324, 1.7976931348623157e308])],
  ["repr([float('inf'), float('-inf'), float('nan'), 2**70])", () => repr([Infinity, -Infinity, NaN, 2n ** 70n])],
  ["repr(\"it's\") + repr('say \"hi\"') + repr('both \\' \"') + repr('tab\\tnl\\ncr\\r\\\\')", () => repr("it's") + repr('say "hi"') + repr('both \' "') + repr('tab\tnl\ncr\r\\')],
  ["repr('\\x00\\x1f\\x7f\\x80\\xa0\\xad\\u200b\\u2028\\u3000 é 한 \\U0001F600 \\ud800')", () => repr('\x00\x1f\x7f\x80\xa0\xad\u200b\u2028\u3000 é 한 \u{1F600} \ud800')],
  ["a = [1]; a.append(a); d = {'k': 1}; d['self'] = d; RESULT = repr(a) + repr(d)", () => {
    const a: unknown[] = [1];
    a.push(a);
    const d: Record<string, unknown> = { k: 1 };
    d.self = d;
    return repr(a) + repr(d);
  }],
  ["repr(ValueError('bad')) + repr(ValueError()) + repr(KeyError('k')) + str(KeyError('k')) + str(ValueError('m'))", () => {
    const { ValueError, KeyError } = require('../../../runtime/python');
    return repr(new ValueError('bad')) + repr(new ValueError()) + repr(new KeyError('k')) + str(new KeyError('k')) + str(new ValueError('m'));
  }],
  ['repr(range(10)) + repr(range(1, 10)) + repr(range(10, 0, -3)) + str(len(range(10, 0, -3))) + str(list(range(10, 0, -3)))', () => repr(range(10)) + repr(range(1, 10)) + repr(range(10, 0, -3)) + str(len(range(10, 0, -3))) + str(list(range(10, 0, -3)))],
  ['range(1, 2, 0)', () => range(1, 2, 0)],
  ['range(1, 10)[20]', () => range(1, 10).at(20)],
  ['str(range(1, 10)[-1]) + str(5 in range(1, 10, 2)) + str(4 in range(1, 10, 2))', () => str(range(1, 10).at(-1)) + str(range(1, 10, 2).includes(5)) + str(range(1, 10, 2).includes(4))],
  // str.format: the lecture's templates and the field grammar
  ["'\\n Result -> {} Time : {:.2f}s'.format([5000050000, 500000500000], 1.23456)", () => str.format('\n Result -> {} Time : {:.2f}s', [5000050000, 500000500000], 1.23456)],
  ["'Future Result : {}, Done : {}'.format(5000050000, True)", () => str.format('Future Result : {}, Done : {}', 5000050000, true)],
  ["'{0}{1}{0} {{literal}} {x} {y[1]} {z[k]}'.format('a', 'b', x=1, y=[5, 6], z={'k': 'v'})", () => str.format('{0}{1}{0} {{literal}} {x} {y[1]} {z[k]}', 'a', 'b', { x: 1, y: [5, 6], z: { k: 'v' } })],
  ["'{!r} {!s} {!a} {:>{}} {:{w}.{p}f}'.format('x', 'y', 'é\\n', 'r', 4, 3.14159, w=9, p=3)", () => str.format('{!r} {!s} {!a} {:>{}} {:{w}.{p}f}', 'x', 'y', 'é\n', 'r', 4, 3.14159, { w: 9, p: 3 })],
  ["'{}'.format({'a': 1})", () => str.format('{}', { a: 1 })],
  ["'{1}'.format(1)", () => str.format('{1}', 1)],
  ["'{}{}'.format(1)", () => str.format('{}{}', 1)],
  ["'{0}{}'.format(1, 2)", () => str.format('{0}{}', 1, 2)],
  ["'{}{0}'.format(1, 2)", () => str.format('{}{0}', 1, 2)],
  ["'{a}'.format()", () => str.format('{a}')],
  ["'a}b'.format()", () => str.format('a}b')],
  ["'ab{'.format()", () => str.format('ab{')],
  ["'{!x}'.format(1)", () => str.format('{!x}', 1)],
  ["'{0[5]}'.format([1])", () => str.format('{0[5]}', [1])],
  ["'{0.nope}'.format(1)", () => str.format('{0.nope}', 1)],
  ["'{0[x}'.format(1)", () => str.format('{0[x}', 1)],
  // format-spec mini-language
  ["'|'.join(format(v, s) for v, s in [(1234, '06,'), (1234, '08,'), (-1234, '0=10,'), (255, '010_x'), (255, '#010_x'), (-12, 'x<010'), (1, '<06'), (-255, '#_b'), (65, 'c'), (123, '#o'), (-123, '#X'), (123, '+'), (7, ' d'), (2**70, ','), (1234567, 'n')])", () =>
    [[1234, '06,'], [1234, '08,'], [-1234, '0=10,'], [255, '010_x'], [255, '#010_x'], [-12, 'x<010'], [1, '<06'], [-255, '#_b'], [65, 'c'], [123, '#o'], [-123, '#X'], [123, '+'], [7, ' d'], [2n ** 70n, ','], [1234567, 'n']].map(([v, s]) => format(v, s as string)).join('|')],
  ["'|'.join(format(v, s) for v, s in [(0.125, '.2f'), (0.375, '.2f'), (2.5, '.0f'), (1.5, '.0f'), (1.5, '#.0f'), (1.5, '.2'), (12.5, '.2'), (123456.5, '.2'), (1e16, ''), (1e20, 'n'), (0.5, '%'), (0.5, '.0%'), (0.12345, '.3%'), (float('nan'), '+.2f'), (float('-inf'), '010'), (-0.0, 'z.1f'), (-0.0, '.1f'), (3.5, 'e'), (1.5, '#g'), (100.5, 'g'), (1e6, 'g'), (1e-4, 'g'), (1e-5, 'g'), (2.5e-7, 'E'), (float('inf'), 'F')])", () =>
    [[0.125, '.2f'], [0.375, '.2f'], [2.5, '.0f'], [1.5, '.0f'], [1.5, '#.0f'], [1.5, '.2'], [12.5, '.2'], [123456.5, '.2'], [1e16, ''], [1e20, 'n'], [0.5, '%'], [0.5, '.0%'], [0.12345, '.3%'], [NaN, '+.2f'], [-Infinity, '010'], [-0, 'z.1f'], [-0, '.1f'], [3.5, 'e'], [1.5, '#g'], [100.5, 'g'], [1e6, 'g'], [1e-4, 'g'], [1e-5, 'g'], [2.5e-7, 'E'], [Infinity, 'F']].map(([v, s]) => format(v, s as string)).join('|')],
  ["'|'.join(format(v, s) for v, s in [(1.5, ',.3f'), (1234567.891, ',.2f'), (1234.5, '_'), (1234567.5, '012,.1f'), (-1.5, '=+9.2f'), (3, '.2f'), (3, 'e'), (1e300, '.3e'), (5e-324, '.3e'), (1e23, 'f'), (0.1, '.30f')])", () =>
    [[1.5, ',.3f'], [1234567.891, ',.2f'], [1234.5, '_'], [1234567.5, '012,.1f'], [-1.5, '=+9.2f'], [3, '.2f'], [3, 'e'], [1e300, '.3e'], [5e-324, '.3e'], [1e23, 'f'], [0.1, '.30f']].map(([v, s]) => format(v, s as string)).join('|')],
  ["'|'.join(format(v, s) for v, s in [('abc', '^7'), ('abc', '*^8'), ('abcdef', '.3'), ('ab', '05'), ('ab', '>5'), ('한글', '*<6'), (True, ''), (True, '>5'), (None, '')])", () =>
    [['abc', '^7'], ['abc', '*^8'], ['abcdef', '.3'], ['ab', '05'], ['ab', '>5'], ['한글', '*<6'], [true, ''], [true, '>5'], [null, '']].map(([v, s]) => format(v, s as string)).join('|')],
  ["format(1, '.2')", () => format(1, '.2')],
  ["format(1.5, 'd')", () => format(1.5, 'd')],
  ["format('a', 'd')", () => format('a', 'd')],
  ["format('a', '+')", () => format('a', '+')],
  ["format('a', '=5')", () => format('a', '=5')],
  ["format('a', ',')", () => format('a', ',')],
  ["format(1, ',x')", () => format(1, ',x')],
  ["format(1, '+c')", () => format(1, '+c')],
  ["format(None, '>5')", () => format(null, '>5')],
  ["format(1, 'abc')", () => format(1, 'abc')],
  ["format(1.5, '10.x')", () => format(1.5, '10.x')],
  ["format(1, '_,')", () => format(1, '_,')],
  ["format(1, ',,')", () => format(1, ',,')],
  ["format([1], 'x')", () => format([1], 'x')],
  // print
  ["import io, contextlib\nbuf = io.StringIO()\nwith contextlib.redirect_stdout(buf): print(1, 'a', None, [1.5, 'b'], True, sep='-', end='!')\nRESULT = buf.getvalue()", () => {
    let out = '';
    print(1, 'a', null, [1.5, 'b'], true, { sep: '-', end: '!', file: { write: (s: string) => (out += s) } });
    return out;
  }],
  ["import io, contextlib\nbuf = io.StringIO()\nwith contextlib.redirect_stdout(buf): print(); print({}); print('x', {'a': 1})\nRESULT = buf.getvalue()", () => printed() + printed({}) + printed('x', { a: 1 })],
  // builtins
  ["str([sum(range(1, 100000001)), sum(range(10**15, 10**15 + 20)), sum([0.5] * 5), sum([1, 2], 0.5), sum([2**53 - 1, 1, 1]), sum([], 5)])", () =>
    str([sum(range(1, 100000001)), sum(range(10 ** 15, 10 ** 15 + 20)), sum(Array(5).fill(0.5)), sum([1, 2], 0.5), sum([2 ** 53 - 1, 1, 1]), sum([], 5)])],
  ["sum(['a'])", () => sum(['a'] as never)],
  ['str([pow(2, 8), pow(2, 100), pow(2, -1), pow(2, 3, 5), pow(3, -1, 7), pow(-2, 3, -5), pow(2, 0.5), abs(-3), abs(-2.5)])', () =>
    str([pow(2, 8), pow(2n, 100n), pow(2, -1), pow(2, 3, 5), pow(3, -1, 7), pow(-2, 3, -5), pow(2, 0.5), abs(-3), abs(-2.5)])],
  ['pow(0, -1)', () => pow(0, -1)],
  ["str([min(3, 1, 2), max('abc'), min(3, 1, 2, key=lambda x: -x), max([], default=7), min([[2, 1], [1, 9], [1, 2]]), max(1, 2.5), min(['b', 'a', 'B'])])", () =>
    str([min(3, 1, 2), max('abc'), min(3, 1, 2, { key: (x: number) => -x }), max([] as number[], { default: 7 }), min([[2, 1], [1, 9], [1, 2]]), max(1, 2.5), min(['b', 'a', 'B'])])],
  ['min([])', () => min([])],
  ['max(1, 2, default=3)', () => (max as (...a: unknown[]) => unknown)(1, 2, { default: 3 })],
  ["min(1, 'a')", () => min<unknown>(1, 'a')],
  ["str([sorted([3, 1, 2]), sorted(['b', 'a', 'C', '\\uff21', '\\U0001F600']), sorted([3, 1, 2], reverse=True), sorted(['bb', 'a', 'ccc'], key=len), sorted([(1, 'b'), (1, 'a'), (0, 'z')])])", () =>
    str([sorted([3, 1, 2]), sorted(['b', 'a', 'C', '\uff21', '\u{1F600}']), sorted([3, 1, 2], { reverse: true }), sorted(['bb', 'a', 'ccc'], { key: len }), sorted([tuple(1, 'b'), tuple(1, 'a'), tuple(0, 'z')])])],
  ["str([len('한😀'), len([1, 2]), len({1}), len({'a': 1}), list(enumerate('ab', 1)), list(zip('ab', [1, 2, 3])), list('hé'), list({'k': 1})])", () =>
    str([len('한😀'), len([1, 2]), len(new Set([1])), len({ a: 1 }), list(enumerate('ab', 1)), list(zip('ab', [1, 2, 3])), list('hé'), list({ k: 1 })])],
  ['len(5)', () => len(5)],
];

let pythonResults: string[];

beforeAll(() => {
  const program = [
    'import json, sys',
    'cases = json.load(sys.stdin)',
    'out = []',
    'for src in cases:',
    '    try:',
    '        if "RESULT =" in src:',
    '            ns = {}',
    '            exec(src, ns)',
    '            out.append(ns["RESULT"])',
    '        else:',
    '            out.append(str(eval(src)))',
    '    except Exception as e:',
    '        out.append(type(e).__name__ + ": " + str(e))',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync('/usr/bin/python3', ['-c', program], { input: JSON.stringify(cases.map((c) => c[0])), encoding: 'utf8' });
  pythonResults = JSON.parse(stdout);
});

function runTs(f: () => unknown): string {
  try {
    return str(f());
  } catch (e) {
    const err = e as Error;
    return `${err.name}: ${err.message}`;
  }
}

test.each(cases.map((c, i) => [i, c[0], c[1]] as const))('case %i: %s', (i, _src, ts) => {
  expect(runTs(ts)).toBe(pythonResults[i]);
});
