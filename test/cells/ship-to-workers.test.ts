/**
 * What CPython's pickle sends to a ProcessPoolExecutor, sent from notebook cells to process and interpreter pools:
 * builtins, intrinsics and imported functions by reference, cell classes with their instances, user exceptions as
 * their class. The notebook's folder (test/fixtures/ship-notebook) has a package installed only there.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import { registerModule } from '../../runtime/futures/references';

let engine: CellEngine;
// The engine's cells define their names on the jest worker's own global (kernel/cells/runner.ts), where they outlive
// this file: the classes here are named so that no later test file's module class (`Point`, `NeedMore`) resolves to them.

async function ok(code: string): Promise<unknown> {
  const r = await engine.execute(code);
  if (r.status !== 'ok') throw new Error(`cell failed: ${r.ename}: ${r.evalue}\n${r.traceback.join('\n')}`);
  return r.hasValue ? r.value : undefined;
}

/** A function of a package registered as loaded from a folder where it is not installed: no worker can load it. */
const notInstalled = { gone: function gone() { return 1; } };

beforeAll(async () => {
  registerModule('not-installed-anywhere', path.join(__dirname, 'no-such-folder'), notInstalled);
  engine = createEngine({ cwd: path.join(__dirname, '..', 'fixtures', 'ship-notebook'), globals: { gone: notInstalled.gone } });
  await ok(`
import { createHash } from "node:crypto";
import { shout } from "tiny-ship-pkg";
import { digest, loudDigest, loudBase } from "./hasher";
class Point2D {
  constructor(public x: number, public y: number) {}
  norm() { return Math.hypot(this.x, this.y); }
}
class Point3D extends Point2D {
  constructor(x: number, y: number, public z: number) { super(x, y); }
  override norm() { return Math.hypot(this.x, this.y, this.z); }
}
class NeedsMore extends Error {
  constructor(public need: number) { super(\`need \${need} more\`); }
}
class RemoteAppError extends Error {}
function shipTriple(x: number) { return 3 * x; }
const shipAdd = (a: number, b: number) => a + b;
const pools = { Process: new ProcessPoolExecutor({ max_workers: 2 }), Interpreter: new InterpreterPoolExecutor({ max_workers: 2 }) };
async function first(it: AsyncIterable<unknown>) { for await (const x of it) return x; }
`);
}, 60_000);

afterAll(async () => {
  await ok('for (const p of Object.values(pools)) await p.shutdown({ wait: true, cancel_futures: true })');
});

/** Each case: [what, the call as submit, the same call as map, the expected value]. */
const cases: [string, string, string, unknown][] = [
  ['runtime builtin', 'pool.submit(pow, 2, 5)', 'pool.map(pow, [2], [5])', 32],
  ['intrinsic', 'pool.submit(Math.max, 1, 9)', 'pool.map(Math.max, [1], [9])', 9],
  ['node: import', 'pool.submit((s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8), "abc")',
    'pool.map((s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8), ["abc"])', 'ba7816bf'],
  ['npm package import', 'pool.submit(shout, "hi")', 'pool.map(shout, ["hi"])', 'HI!'],
  ['a local module\'s function using its node: and package imports (named, namespace over a global, default)',
    '(async () => [await pool.submit(digest, "abc").result(), await pool.submit(loudDigest, "abc").result(), await pool.submit(loudBase, "/a/b.txt").result()])()',
    '(async () => { const out: unknown[] = []; for await (const x of pool.map((f: (s: string) => string, s: string) => f(s), [digest, loudDigest, loudBase], ["abc", "abc", "/a/b.txt"])) out.push(x); return out; })()',
    ['ba7816bf', 'A9993E!', 'B.TXT!']],
  ['cell class instance argument and result',
    '(async () => { const p = await pool.submit((p: Point2D) => new Point2D(p.norm(), p.x), new Point2D(3, 4)).result(); return [p instanceof Point2D, p.x, p.norm()]; })()',
    '(async () => { const p = await first(pool.map((p: Point2D) => new Point2D(p.norm(), p.x), [new Point2D(3, 4)])) as Point2D; return [p instanceof Point2D, p.x, p.norm()]; })()',
    [true, 5, Math.hypot(5, 3)]],
  ['nested instances and a subclass',
    `(async () => { const r = await pool.submit((o: { ps: Point2D[]; m: Map<string, Point2D>; s: Set<Point2D> }) => o,
        { ps: [new Point3D(1, 2, 2)], m: new Map([["k", new Point2D(3, 4)]]), s: new Set([new Point2D(0, 1)]) }).result();
      return [r.ps[0] instanceof Point3D, r.ps[0] instanceof Point2D, r.ps[0].norm(), r.m.get("k") instanceof Point2D, [...r.s][0] instanceof Point2D]; })()`,
    `(async () => { const r = await first(pool.map((o: { ps: Point2D[]; m: Map<string, Point2D>; s: Set<Point2D> }) => o,
        [{ ps: [new Point3D(1, 2, 2)], m: new Map([["k", new Point2D(3, 4)]]), s: new Set([new Point2D(0, 1)]) }])) as any;
      return [r.ps[0] instanceof Point3D, r.ps[0] instanceof Point2D, r.ps[0].norm(), r.m.get("k") instanceof Point2D, [...r.s][0] instanceof Point2D]; })()`,
    [true, true, 3, true, true]],
  ['user Error subclass',
    '(async () => { const e = await pool.submit((n: number) => { throw new NeedsMore(n); }, 7).exception() as NeedsMore; return [e instanceof NeedsMore, e.need, e.message, String((e.cause as Error).stack).includes("shipped-")]; })()',
    '(async () => { try { await first(pool.map((n: number) => { throw new NeedsMore(n); }, [7])); return "no error"; } catch (e: any) { return [e instanceof NeedsMore, e.need, e.message, String(e.cause.stack).includes("shipped-")]; } })()',
    [true, 7, 'need 7 more', true]],
  ['functions as arguments (an arrow, a runtime builtin, a cell function and an intrinsic in an array)',
    `(async () => [
      await pool.submit((f: (y: number) => number, x: number) => f(x), (y: number) => y * 2, 21).result(),
      await pool.submit((f: Function, a: number[]) => f(...a), pow, [2, 5]).result(),
      await pool.submit((fs: ((x: number) => number)[]) => fs.map((f) => f(9)), [shipTriple, Math.sqrt]).result()])()`,
    `(async () => { const out: unknown[] = [];
      for await (const x of pool.map((f: Function, a: unknown[]) => f(...a), [(y: number) => y * 2, pow, (fs: ((x: number) => number)[]) => fs.map((f) => f(9))],
        [[21], [2, 5], [[shipTriple, Math.sqrt]]])) out.push(x);
      return out; })()`,
    [42, 32, [27, 3]]],
  ['functions as results, as pickle returns them (a runtime builtin, an intrinsic, a package\'s and a node: import, a cell function, an argument)',
    `(async () => { const fns = await pool.submit((f: Function) => [pow, Math.max, shout, createHash, shipTriple, f], shipAdd).result() as Function[];
      return fns.map((f, i) => f === [pow, Math.max, shout, createHash, shipTriple, shipAdd][i]); })()`,
    `(async () => { const fns = await first(pool.map((f: Function) => [pow, Math.max, shout, createHash, shipTriple, f], [shipAdd])) as Function[];
      return fns.map((f, i) => f === [pow, Math.max, shout, createHash, shipTriple, shipAdd][i]); })()`,
    Array(6).fill(true)],
];

describe.each(['Process', 'Interpreter'])('%sPoolExecutor', (kind) => {
  describe.each(['submit', 'map'])('%s', (how) => {
    test.each(cases)('%s', async (_what, submit, map, expected) => {
      const call = how === 'submit' ? submit : map;
      // Plain calls give a future (submit) or an iterator (map); the (async () => ...)() cases check what came back.
      const value = call.startsWith('(async') ? call : how === 'submit' ? `${call}.result()` : `first(${call})`;
      expect(await ok(`await (async () => { const pool = pools.${kind}; return await ${value}; })()`)).toEqual(expected);
    }, 30_000);
  });
});

describe('the issue\'s examples', () => {
  test('a class without \`name\` keeps its class name in repr(future) and instanceof', async () => {
    expect(await ok(`await (async () => {
      const f = pools.Process.submit(() => { throw new RemoteAppError("x"); });
      const e = await f.exception();
      return [repr(f).replace(/0x[0-9a-f]+/, "0x"), e instanceof RemoteAppError];
    })()`)).toEqual(['<Future at 0x state=finished raised RemoteAppError>', true]);
  });

  test('a module the worker cannot load fails that future with ModuleNotFoundError, and the pool goes on', async () => {
    expect(await ok(`await (async () => {
      const out: unknown[] = [];
      for (const pool of Object.values(pools)) {
        out.push(repr(await pool.submit(gone).exception()), await pool.submit(pow, 2, 3).result());
      }
      return out;
    })()`)).toEqual([
      'ModuleNotFoundError("No module named \'not-installed-anywhere\'")', 8,
      'ModuleNotFoundError("No module named \'not-installed-anywhere\'")', 8,
    ]);
  });

  test('a function argument that cannot ship fails at submit, naming it', async () => {
    // The local is named apart from other files' cells: their names stay on the realm's global under jest, and a
    // global of the same name would be shipped instead (Point2D and NeedsMore below are named apart for the same reason).
    expect(await ok(`(() => {
      let bumpedTimes = 0;
      const bump = () => ++bumpedTimes;
      return Object.values(pools).map((pool) => { try { pool.submit((f: () => number) => f(), bump); return 'submitted'; } catch (e) { return String(e); } });
    })()`)).toEqual(Array(2).fill("TypeError: cannot send argument 1 of '<anonymous>' to a worker process: cannot ship function 'bump' " +
      "to a worker process: it uses 'bumpedTimes', a local variable of an enclosing function"));
  });

  test('a function made in the worker fails its future as CPython\'s does (it has no name the parent can find)', async () => {
    expect(await ok(`await (async () => {
      const out: string[] = [];
      for (const pool of Object.values(pools)) {
        const f = pool.submit(function shipMakeAdder() { return [1, (x: number) => x + 1]; });
        out.push(repr(await f.exception()), repr(f).replace(/0x[0-9a-f]+/, "0x"));
      }
      return out;
    })()`)).toEqual(Array(2).fill(["AttributeError(\"Can't get local object 'shipMakeAdder.<locals>.<anonymous>'\")",
      '<Future at 0x state=finished raised AttributeError>']).flat());
  });

  test('a local module\'s functions that use another local TypeScript module and their own helper and constant ship, by submit and map', async () => {
    const sha = (algorithm: string, s: string) => createHash(algorithm).update(s).digest('hex');
    const twice = sha('sha256', sha('sha256', 'a').slice(0, 8)).slice(0, 8);
    const loud = `${sha('sha1', twice).slice(0, 6).toUpperCase()}!`;
    expect(await ok(`import { twiceDigest, loudTwice } from "./uses-hasher";
await (async () => {
  const out: unknown[] = [];
  for (const pool of Object.values(pools)) {
    out.push(await pool.submit(twiceDigest, "a").result(), await pool.submit(loudTwice, "a").result());
    for await (const x of pool.map((f: (s: string) => string) => f("a"), [twiceDigest, loudTwice])) out.push(x);
  }
  return out;
})()`)).toEqual(Array(4).fill([twice, loud]).flat());
  });

  test('a local module\'s function that uses another local TypeScript module other than by its members fails at submit, naming both', async () => {
    expect(await ok(`import { hasherKeys } from "./uses-hasher";
Object.values(pools).map((pool) => { try { pool.submit(hasherKeys); return "submitted"; } catch (e) { return String(e); } })`)).toEqual(
      Array(2).fill("TypeError: cannot ship function 'hasherKeys' to a worker process: it uses 'hasher', the module hasher.ts imported by " +
        'uses-hasher.ts, other than by reading its members (name.x), so it cannot travel: a TypeScript module beside the notebook is compiled in the kernel'));
  });

  test('a cell\'s binding of a native global\'s name (an import or a declaration) ships as that binding, not the global', async () => {
    await ok('import * as crypto from "node:crypto";\nfunction structuredClone(s: string) { return `cloned ${s}`; }\nconst { setTimeout } = await import("node:timers/promises");');
    expect(await ok(`await (async () => {
      const out: unknown[] = [];
      for (const pool of Object.values(pools)) {
        out.push(await pool.submit((s: string) => crypto.createHash("sha256").update(s).digest("hex").slice(0, 8), "abc").result(),
          await pool.submit((s: string) => structuredClone(s), "x").result(),
          await pool.submit(async (v: string) => await setTimeout(1, v), "slept").result());
      }
      return out;
    })()`)).toEqual(Array(2).fill(['ba7816bf', 'cloned x', 'slept']).flat());
  });

  test('a non-callable fails its future with Python\'s message, as CPython reports it', async () => {
    expect(await ok(`await (async () => [
      repr(await pools.Process.submit(5 as any).exception()),
      repr(await pools.Interpreter.submit(5 as any).exception()),
    ])()`)).toEqual(["TypeError(\"'int' object is not callable\")", "TypeError(\"'int' object is not callable\")"]);
  });
});
