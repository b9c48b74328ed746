import { FORMAT, REPR, format, str, ValueError, KeyError, IndexError } from '../../../runtime/python';

class FakeFuture {
  [REPR]() {
    return '<Future at 0x7f0000000010 state=finished returned int>';
  }
}

describe('str.format', () => {
  test("the lecture's templates", () => {
    expect(str.format('\n Result -> {} Time : {:.2f}s', [5000050000, 500000500000], 1.234)).toBe(
      '\n Result -> [5000050000, 500000500000] Time : 1.23s',
    );
    expect(str.format('Scheduled for {} : {}', 100000, new FakeFuture())).toBe(
      'Scheduled for 100000 : <Future at 0x7f0000000010 state=finished returned int>',
    );
    expect(str.format('Future Result : {}, Done : {}', 5000050000, true)).toBe('Future Result : 5000050000, Done : True');
    expect(str.format('\n Time : {:.2f}s', 6.525)).toBe('\n Time : 6.53s');
  });

  test('keyword rule: a trailing plain object is kwargs only if the template names a field', () => {
    expect(str.format('{a}-{}', 1, { a: 2 })).toBe('2-1');
    expect(str.format('{}', { a: 1 })).toBe("{'a': 1}");
    expect(str.format('{:{w}}|', 'x', { w: 3 })).toBe('x  |');
    expect(() => str.format('{} {}', 1, { a: 2 }).length).not.toThrow();
    expect(() => str.format('{0} {1} {a}', 1, { a: 2 })).toThrow(
      new IndexError('Replacement index 1 out of range for positional args tuple'),
    );
    expect(() => str.format('{toString}', {})).toThrow(KeyError); // own keys only
  });

  test('field access: attributes and items', () => {
    expect(str.format('{0.x} {0[y]} {1[0]} {1[1][0]}', { x: 1, y: 2 }, ['a', ['b']])).toBe('1 2 a b');
    expect(str.format('{0[1]}', new Map([[1, 'one']]))).toBe('one');
    expect(() => str.format('{0[9]}', [1])).toThrow('list index out of range');
    expect(() => str.format('{0.}', 1)).toThrow(new ValueError('Empty attribute in format string'));
    expect(() => str.format('{0[0]x}', [1])).toThrow("Only '.' or '[' may follow ']' in format field specifier");
  });

  test('conversions and literal braces', () => {
    expect(str.format('{!r}|{!s}|{!a}|{{}}', 'a', 'b', 'é')).toBe("'a'|b|'\\xe9'|{}");
    expect(str.format('{0!r:>6}', 'a')).toBe("   'a'");
    expect(() => str.format('{!z}', 1)).toThrow('Unknown conversion specifier z');
    expect(() => str.format('{!r', 1)).toThrow("unmatched '{' in format spec");
  });

  test('nested specs share automatic numbering; recursion is limited to two levels', () => {
    expect(str.format('{:{}}{}', 1, 5, 6)).toBe('    16');
    expect(str.format('{:{}.{}f}', 3.14159, 8, 2)).toBe('    3.14');
    expect(() => str.format('{:{:{}}}', 1, 2, 3)).toThrow('Max string recursion exceeded');
  });
});

describe('format()', () => {
  test('objects without [FORMAT] accept only an empty spec', () => {
    expect(format(new FakeFuture())).toBe('<Future at 0x7f0000000010 state=finished returned int>');
    expect(() => format(new FakeFuture(), '>5')).toThrow('unsupported format string passed to FakeFuture.__format__');
    expect(() => format([1], 'x')).toThrow(TypeError);
  });

  test('[FORMAT] takes over the spec', () => {
    const o = { [FORMAT]: (spec: string) => `<${spec}>` };
    expect(str.format('{:abc}', o)).toBe('<abc>');
  });

  test('floats round half-even on the exact binary value (unlike toFixed)', () => {
    expect(format(0.125, '.2f')).toBe('0.12');
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(format(2.675, '.2f')).toBe('2.67'); // 2.675 is 2.67499999...
    expect(format(1e22, ',.0f')).toBe('10,000,000,000,000,000,000,000');
    expect(format(9.995, '.2f')).toBe('9.99');
    expect(format(99.5, '.0f')).toBe('100');
    expect(format(0.5, '.0e')).toBe('5e-01');
    expect(format(9.96, '.1e')).toBe('1.0e+01');
  });

  test('bigint, bool and string values', () => {
    expect(format(2n ** 64n, '_x')).toBe('1_0000_0000_0000_0000');
    expect(format(-(2n ** 64n), ',')).toBe('-18,446,744,073,709,551,616');
    expect(format(true, '')).toBe('True');
    expect(format(true, 'd')).toBe('1');
    expect(format('😀b', '*^5')).toBe('*😀b**');
    expect(() => format('a', '#')).toThrow('Alternate form (#) not allowed in string format specifier');
  });

  test('spec errors', () => {
    expect(() => format(1, ',_')).toThrow("Cannot specify both ',' and '_'.");
    expect(() => format(1.5, 'x')).toThrow("Unknown format code 'x' for object of type 'float'");
    expect(() => format(1, '.2')).toThrow('Precision not allowed in integer format specifier');
  });
});
