import * as net from 'node:net';
import { Receiver } from '../../../runtime/futures/rebuild';
import { serializeArgs } from '../../../runtime/futures/encode-args';
import { setGlobalResolver, shipFunction } from '../../../runtime/futures/shipping';
import { scaledTriangle, pointNorm, triangle } from './fixture';

/** Evaluates a bundle the way pool-worker does. */
function load(fn: Function): Function {
  const b = shipFunction(fn);
  return new Receiver().rebuildFunction([b.id, b.code, b.values]);
}

describe('shipping', () => {
  afterEach(() => setGlobalResolver(null));

  test('ships a function with the top-level function and constant it uses', () => {
    const b = shipFunction(scaledTriangle);
    expect(b.code).toContain('const triangle =');
    expect(load(scaledTriangle)(4)).toBe(30);
  });

  test("a module function sees its module's names before a global of the same name, as it does in its module", () => {
    setGlobalResolver((name) => (name === 'SCALE' || name === 'triangle' ? { found: true, value: name === 'SCALE' ? 100 : () => 1 } : { found: false }));
    expect(load(scaledTriangle)(4)).toBe(30);
    setGlobalResolver(null);
    (globalThis as Record<string, unknown>).SCALE = 100;
    try {
      expect(load(scaledTriangle)(4)).toBe(30);
    } finally {
      delete (globalThis as Record<string, unknown>).SCALE;
    }
  });

  test('ships classes used by a function', () => {
    expect(shipFunction(pointNorm).code).toContain('class Point');
    expect(load(pointNorm)(3, -4)).toBe(7);
  });

  test('the bundle is cached per function and its id is stable', () => {
    expect(shipFunction(triangle)).toBe(shipFunction(triangle));
  });

  test('a closure over a local variable fails naming the variable', () => {
    let counter = 0;
    const bump = () => ++counter;
    expect(() => shipFunction(bump)).toThrow(
      new TypeError("cannot ship function 'bump' to a worker process: it uses 'counter', a local variable of an enclosing function"));
  });

  test('a closure reached through a top-level helper names the chain', () => {
    const hidden = 5;
    function inner2() { return hidden; }
    const outer = () => inner2() + 1;
    setGlobalResolver((name) => (name === 'inner2' ? { found: true, value: inner2 } : { found: false }));
    expect(() => shipFunction(outer)).toThrow(
      "cannot ship function 'outer' to a worker process: it uses 'inner2', which uses 'hidden', a local variable of an enclosing function");
  });

  test('an uncloneable constant fails naming it and its type', () => {
    const sock = new net.Socket();
    setGlobalResolver((name) => (name === 'sock' ? { found: true, value: sock } : { found: false }));
    const useSock = new Function('return function useSock() { return sock.remoteAddress; }')();
    expect(() => shipFunction(useSock)).toThrow(
      "cannot ship function 'useSock' to a worker process: it uses 'sock' (a Socket), which cannot be cloned");
    sock.destroy();
  });

  test('an instance whose class has a private field is refused at submit, naming the field', () => {
    class Account {
      #balance = 5;
      get balance() { return this.#balance; }
    }
    expect(() => serializeArgs('audit', [1, new Account()])).toThrow(
      "cannot send argument 2 of 'audit' to a worker process: an instance of 'Account' has the private field '#balance' (declared by class 'Account'), which cannot travel");
  });

  test('bound functions are refused', () => {
    expect(() => shipFunction(triangle.bind(null))).toThrow(/cannot ship function 'bound triangle'.*a bound function/);
  });

  test('intrinsics travel by reference, not by source', () => {
    expect(shipFunction(Math.max).code).toContain('__tsf.ref(["intrinsic",["Math","max"]])');
    expect(load(Math.max)).toBe(Math.max);
    expect(load(JSON.stringify)).toBe(JSON.stringify);
    expect(load(Number.parseInt)).toBe(Number.parseInt);
    expect(load(String)).toBe(String);
  });

  test('methods, arrows and async functions ship', async () => {
    const obj = { twice(x: number) { return 2 * x; } };
    expect(load(obj.twice)(4)).toBe(8);
    expect(load((x: number) => x + 1)(1)).toBe(2);
    expect(await load(async (x: number) => x * 3)(2)).toBe(6);
  });

  test('an uncloneable argument is refused, and so is a function argument that cannot ship, naming it', () => {
    expect(() => serializeArgs('f', [1, new WeakMap()])).toThrow(
      "cannot send argument 2 of 'f' to a worker process: a WeakMap cannot be cloned");
    let counter = 0;
    const bump = () => ++counter;
    expect(() => serializeArgs('f', [1, { cb: bump }])).toThrow(
      "cannot send argument 2 of 'f' to a worker process: cannot ship function 'bump' to a worker process: it uses " +
      "'counter', a local variable of an enclosing function");
  });

  test('a function argument travels as the submitted function does, rebuilt on the other side', () => {
    const payload = serializeArgs('apply', [(y: number) => y * 2, { f: triangle }, [Math.max]]);
    const [double, { f }, [max]] = new Receiver().decodeArgs(payload) as [Function, { f: Function }, Function[]];
    expect([double!(21), f(4), max!(1, 9)]).toEqual([42, 10, 9]);
  });
});
