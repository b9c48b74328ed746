/**
 * Values Python has no type for keep their content (issue 24, item 6): the notation of Node's util.inspect, which is
 * what tslab prints for the same values, on one line and with Python reprs inside.
 */
import { EventEmitter } from 'node:events';
import { print, repr, str } from '../../../runtime/python';

class Vector2D {
  constructor(public x: number, public y: number) {}
}

class Node2 {
  constructor(public value: number, public next?: Node2) {}
}

describe('class instances show their fields', () => {
  test('name and own fields, Python reprs inside', () => {
    expect(repr(new Vector2D(100, 100))).toBe('Vector2D { x: 100, y: 100 }');
    class P {
      #secret = 1;
      name = 'n';
      nested = { a: [1.5, null, { b: true }] };
      'odd key' = new Vector2D(1, 2);
      get derived() { return this.#secret; }
    }
    expect(repr(new P())).toBe("P { name: 'n', nested: {'a': [1.5, None, {'b': True}]}, 'odd key': Vector2D { x: 1, y: 2 } }");
    expect(repr(new (class {})())).toBe('{}');
    expect(repr(new (class { x = 1; })())).toBe('{ x: 1 }');
    expect(repr(new EventEmitter())).toBe('EventEmitter { _events: {}, _eventsCount: 0, _maxListeners: None }');
  });

  test('inside Python containers too', () => {
    expect(repr([new Vector2D(1, 2)])).toBe('[Vector2D { x: 1, y: 2 }]');
    expect(repr({ v: new Vector2D(1, 2) })).toBe("{'v': Vector2D { x: 1, y: 2 }}");
    expect(repr(new Map([['a', new Date(0)]]))).toBe("{'a': 1970-01-01T00:00:00.000Z}");
  });

  test('bounded: depth, cycles, field count; accessors are not called', () => {
    expect(repr(new Node2(1, new Node2(2, new Node2(3, new Node2(4, new Node2(5))))))).toBe(
      'Node2 { value: 1, next: Node2 { value: 2, next: Node2 { value: 3, next: Node2 {...} } } }',
    );
    const cyclic = new Node2(1);
    cyclic.next = cyclic;
    expect(repr(cyclic)).toBe('Node2 { value: 1, next: Node2 {...} }');
    class Wide {
      constructor() {
        for (let i = 0; i < 150; i++) (this as unknown as Record<string, number>)[`k${i}`] = i;
      }
    }
    expect(repr(new Wide())).toMatch(/^Wide \{ k0: 0, k1: 1, .* k99: 99, \.\.\. 50 more items \}$/);
    const trap = new (class Trap {})();
    Object.defineProperty(trap, 'boom', { enumerable: true, get: () => { throw new Error('called'); } });
    expect(repr(trap)).toBe('Trap { boom: [Getter] }');
  });
});

describe('built-ins show their content', () => {
  test('typed arrays, buffers', () => {
    expect(repr(new Uint8Array([1, 2, 3]))).toBe('Uint8Array(3) [1, 2, 3]');
    expect(repr(new Float64Array([0.5, 2]))).toBe('Float64Array(2) [0.5, 2]');
    expect(repr(new BigInt64Array([5n]))).toBe('BigInt64Array(1) [5]');
    expect(repr(new Int16Array(150))).toMatch(/^Int16Array\(150\) \[0, 0, .*, 0, \.\.\. 50 more items\]$/);
    expect(repr(Buffer.from('hi'))).toBe('<Buffer 68 69>');
    expect(repr(Buffer.alloc(0))).toBe('<Buffer>');
    expect(repr(Buffer.alloc(60, 1))).toBe(`<Buffer ${Array(50).fill('01').join(' ')} ... 10 more bytes>`);
    expect(repr(new Uint8Array([255, 0]).buffer)).toBe('ArrayBuffer { [Uint8Contents]: <ff 00>, byteLength: 2 }');
  });

  test('URL, Date, RegExp', () => {
    expect(repr(new URL('https://example.com/a?b=1'))).toBe("URL { href: 'https://example.com/a?b=1' }");
    expect(repr(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)))).toBe('2020-01-02T03:04:05.006Z');
    expect(repr(new Date(NaN))).toBe('Invalid Date');
    expect(repr(/ab+c/gi)).toBe('/ab+c/gi');
  });

  test('Promise state, weak collections, objects with util.inspect.custom', async () => {
    expect(repr(new Promise(() => {}))).toBe('Promise { <pending> }');
    const done = Promise.resolve(5);
    await done;
    expect(repr(done)).toBe('Promise { 5 }');
    const failed = Promise.reject(new Error('x'));
    failed.catch(() => {});
    await failed.catch(() => {});
    expect(repr(failed)).toMatch(/^Promise \{ <rejected> Error: x/);
    expect(repr(new WeakMap())).toBe('WeakMap { <items unknown> }');
    expect(repr(new URLSearchParams('a=1'))).toBe("URLSearchParams { 'a' => '1' }");
    const custom = { [Symbol.for('nodejs.util.inspect.custom')]: () => 'Money<3 EUR>' };
    expect(repr(Object.setPrototypeOf(custom, Object.create(null)))).toBe('Money<3 EUR>');
  });

  test('what Python has stays Python', () => {
    expect(repr(new Map([[1, 'a']]))).toBe("{1: 'a'}");
    expect(repr(new Set())).toBe('set()');
    expect(repr(Object.create(null))).toBe('{}');
    expect(repr(new Error('boom'))).toBe("Error('boom')");
  });
});

test('print() and str() follow the same rule', () => {
  const writes: string[] = [];
  print(new Vector2D(1, 2), new Uint8Array([7]), { file: { write: (s: string) => writes.push(s) } });
  expect(writes).toEqual(['Vector2D { x: 1, y: 2 } Uint8Array(1) [7]\n']);
  expect(str(new URL('http://x/'))).toBe("URL { href: 'http://x/' }");
});
