import {
  REPR, STR, addressOf, pyTypeName, range, repr, str, tuple, ValueError, KeyError, PyTypeError,
} from '../../../runtime/python';

const ADDR = /0x[0-9a-f]{12}/;

describe('repr', () => {
  test('scalars', () => {
    expect([null, undefined, true, false].map(repr)).toEqual(['None', 'None', 'True', 'False']);
    expect([0, -5, 2 ** 53 - 1, 10n ** 30n].map(repr)).toEqual(['0', '-5', '9007199254740991', '1' + '0'.repeat(30)]);
  });

  test('numbers that are not safe integers print as Python floats', () => {
    expect([0.1, 1.5, -0, 1e16, 2 ** 53, 1e-5, 1e-4, Infinity, -Infinity, NaN].map(repr)).toEqual(
      ['0.1', '1.5', '-0.0', '1e+16', '9007199254740992.0', '1e-05', '0.0001', 'inf', '-inf', 'nan'],
    );
  });

  test('a safe-integer number is an int (JS has no 1.0)', () => {
    expect(repr(1.0)).toBe('1');
    expect(repr(1e15)).toBe('1000000000000000');
  });

  test('strings choose quotes and escape like Python', () => {
    expect(repr('a')).toBe("'a'");
    expect(repr("it's")).toBe('"it\'s"');
    expect(repr('it\'s "x"')).toBe("'it\\'s \"x\"'");
    expect(repr('a\nb\\')).toBe("'a\\nb\\\\'");
    expect(repr('\x07\u200b😀')).toBe("'\\x07\\u200b😀'");
  });

  test('containers', () => {
    expect(repr([1, 'a', [null]])).toBe("[1, 'a', [None]]");
    expect(repr(new Set([1, 2]))).toBe('{1, 2}');
    expect(repr(new Set())).toBe('set()');
    expect(repr(new Map<unknown, unknown>([['a', 1], [2, [true]]]))).toBe("{'a': 1, 2: [True]}");
    expect(repr({ a: 1, 'b c': 'd' })).toBe("{'a': 1, 'b c': 'd'}");
    expect(repr({})).toBe('{}');
    expect(repr(Object.create(null))).toBe('{}');
    expect(repr(tuple(1, 'a'))).toBe("(1, 'a')");
    expect(repr(tuple(1))).toBe('(1,)');
    expect(repr(range(2, 9, 3))).toBe('range(2, 9, 3)');
  });

  test('recursive structures print [...] and {...}', () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(repr(a)).toBe('[1, [...]]');
    const m = new Map<string, unknown>();
    m.set('m', m);
    expect(repr(m)).toBe("{'m': {...}}");
    const o: Record<string, unknown> = {};
    o.list = [o];
    expect(repr(o)).toBe("{'list': [{...}]}");
    const shared = [1];
    expect(repr([shared, shared])).toBe('[[1], [1]]'); // repeated, not recursive
  });

  test('errors print as Name(args)', () => {
    expect(repr(new RangeError('x'))).toBe("RangeError('x')");
    expect(repr(new Error())).toBe('Error()');
    expect(repr(new ValueError('bad', 2))).toBe("ValueError('bad', 2)");
    expect(repr(new KeyError('k'))).toBe("KeyError('k')");
    expect(repr(new PyTypeError('t'))).toBe("TypeError('t')");
    class MyError extends Error {}
    expect(repr(new MyError('m'))).toBe("MyError('m')");
    expect(new PyTypeError('t')).toBeInstanceOf(TypeError);
  });

  test('functions, classes and instances', () => {
    function foo() {}
    expect(repr(foo)).toMatch(new RegExp(`^<function foo at ${ADDR.source}>$`));
    expect(repr(foo)).toBe(repr(foo)); // stable address
    expect(repr([() => 1][0])).toMatch(/^<function <lambda> at 0x/);
    class Thing {}
    expect(repr(Thing)).toBe("<class 'Thing'>");
    expect(repr(new Thing())).toBe('Thing {}'); // content, not an address: see repr-content.test.ts
  });

  test('[REPR] wins on objects and on functions', () => {
    const bound = Object.assign(() => 0, { [REPR]: () => '<bound method Future.cancelled of <Future>>' });
    expect(repr(bound)).toBe('<bound method Future.cancelled of <Future>>');
    class Fut {
      [REPR]() {
        return '<Future at 0x1 state=pending>';
      }
    }
    expect(repr([new Fut()])).toBe('[<Future at 0x1 state=pending>]');
  });
});

describe('str', () => {
  test('str of a string is itself, of other values their repr', () => {
    expect(str('a\n')).toBe('a\n');
    expect(str()).toBe('');
    expect(str(undefined)).toBe('None');
    expect(str(['a'])).toBe("['a']");
    expect(str(true)).toBe('True');
  });

  test('exceptions: str is the message; KeyError shows the key repr', () => {
    expect(str(new ValueError('m'))).toBe('m');
    expect(str(new KeyError('k'))).toBe("'k'");
    expect(new KeyError('k').message).toBe("'k'");
  });

  test('[STR] is used by str but not repr', () => {
    const o = { [STR]: () => 'S', [REPR]: () => 'R' };
    expect(str(o)).toBe('S');
    expect(repr(o)).toBe('R');
    expect(str([o])).toBe('[R]');
  });

  test('str is a function carrying format', () => {
    expect(typeof str.format).toBe('function');
    expect(str.name).toBe('str');
  });
});

test('pyTypeName and addressOf', () => {
  expect([1, 1.5, 1n, 'a', true, null, [], new Set(), {}, new Map()].map(pyTypeName)).toEqual(
    ['int', 'float', 'int', 'str', 'bool', 'NoneType', 'list', 'set', 'dict', 'dict'],
  );
  class Future {}
  expect(pyTypeName(new Future())).toBe('Future');
  const o = {};
  expect(addressOf(o)).toMatch(/^0x[0-9a-f]{12}$/);
  expect(addressOf(o)).toBe(addressOf(o));
  expect(addressOf({})).not.toBe(addressOf(o));
});
