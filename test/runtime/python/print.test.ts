import { print, range } from '../../../runtime/python';

function capture(...args: unknown[]): string[] {
  const writes: string[] = [];
  print(...args, { file: { write: (s: string) => writes.push(s) } });
  return writes;
}

describe('print', () => {
  test('str of each value, sep and end, in ONE write', () => {
    expect(capture(1, 'a', null, [1.5, 'b'], true)).toEqual(["1 a None [1.5, 'b'] True\n"]);
    expect(capture()).toEqual(['\n']);
    expect(capture(range(3))).toEqual(['range(0, 3)\n']);
  });

  test('sep/end options; None means the default', () => {
    const writes: string[] = [];
    const file = { write: (s: string) => writes.push(s) };
    print(1, 2, { sep: '-', end: '!', file });
    print(1, 2, { sep: null, end: null, file });
    expect(writes).toEqual(['1-2!', '1 2\n']);
  });

  test('options rule: only a trailing plain object whose keys are all sep/end/file/flush', () => {
    const writes: string[] = [];
    const file = { write: (s: string) => writes.push(s) };
    print({ a: 1 }, { file }); // first object is a value
    print({ sep: 1, a: 2 }, { file }); // unknown key → a value
    print({}, { file });
    expect(writes).toEqual(["{'a': 1}\n", "{'sep': 1, 'a': 2}\n", '{}\n']);
  });

  test('flush calls file.flush', () => {
    const file = { write: jest.fn(), flush: jest.fn() };
    print('x', { file, flush: true });
    expect(file.flush).toHaveBeenCalledTimes(1);
  });

  test('sep must be a string', () => {
    expect(() => print(1, { sep: 1 as never, file: { write: () => 0 } })).toThrow('sep must be None or a string, not int');
  });

  test('defaults to the current process.stdout.write', () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      print('hello', 42);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy).toHaveBeenCalledWith('hello 42\n');
    } finally {
      spy.mockRestore();
    }
  });
});
