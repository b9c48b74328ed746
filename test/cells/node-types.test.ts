import * as path from 'node:path';
import { createEngine, type TypeScriptCellEngine } from '../../kernel/cells';
import type { CellOutcome } from '../../kernel/protocol/engine';

// Each test starts its own engine: the Node types mode (lite until a cell needs @types/node) is per engine.
const ROOT = path.join(__dirname, '..', '..');
const newEngine = () => createEngine({ cwd: ROOT }) as TypeScriptCellEngine;

async function ok(engine: TypeScriptCellEngine, code: string): Promise<unknown> {
  const r = await engine.execute(code);
  if (r.status !== 'ok') throw new Error(`cell failed: ${r.ename}: ${r.evalue}\n${r.traceback.join('\n')}`);
  return r.hasValue ? r.value : undefined;
}

async function fails(engine: TypeScriptCellEngine, code: string): Promise<Extract<CellOutcome, { status: 'error' }>> {
  const r = await engine.execute(code);
  if (r.status !== 'error') throw new Error(`cell should have failed: ${code}`);
  return r;
}

/** Cells that need only Node's common globals; each must pass with the lite globals and with @types/node. */
const COMMON_CELLS: Array<[string, unknown]> = [
  ['const handle = setTimeout(() => {}, 1000); clearTimeout(handle); typeof handle.unref', 'function'],
  ['const iv = setInterval((a: number) => a, 1000, 1); clearInterval(iv); const im = setImmediate(() => {}); clearImmediate(im); 1', 1],
  // Typed member access only: the members exist in both, and the test output stays quiet.
  ['[console.log, console.error, console.warn, console.info, console.debug, console.table, console.time, console.timeEnd, console.dir].length', 9],
  ['typeof process.pid + typeof process.argv[0] + typeof process.env.HOME', 'numberstringstring'],
  ['const t0: bigint = process.hrtime.bigint(); const [s] = process.hrtime(); typeof s + typeof process.memoryUsage().rss', 'numbernumber'],
  ['process.nextTick(() => {}); process.stdout.write(""); typeof process.cwd()', 'string'],
  ['const buf = Buffer.from("hi"); Buffer.isBuffer(buf) && buf.toString("hex") === "6869" && Buffer.byteLength("abc") === 3', true],
  ['new URL("http://h/p?q=1").searchParams.get("q")', '1'],
  ['new TextDecoder().decode(new TextEncoder().encode("ok"))', 'ok'],
  ['const ac = new AbortController(); ac.abort(); ac.signal.aborted && performance.now() > 0', true],
  ['atob(btoa("a")) + structuredClone({ v: 1 }).v + typeof queueMicrotask + typeof fetch', 'a1functionfunction'],
];

describe('Node types on demand', () => {
  test('cells using console, timers, process and Buffer pass without @types/node; a type error is still caught', async () => {
    const engine = newEngine();
    expect(engine.nodeTypes).toBe('lite');
    for (const [cell, value] of COMMON_CELLS) expect(await ok(engine, cell)).toEqual(value);
    expect((await fails(engine, 'const wrong: number = "x"')).evalue).toMatch(/^TS2322/);
    expect((await fails(engine, 'const later: string = Buffer.byteLength("a")')).evalue).toMatch(/^TS2322/);
    expect(engine.nodeTypes).toBe('lite');
  });

  test('the same cells pass with the full @types/node (the lite globals accept nothing it rejects)', async () => {
    const engine = newEngine();
    await ok(engine, 'import * as os from "node:os"');
    expect(engine.nodeTypes).toBe('full');
    for (const [cell, value] of COMMON_CELLS) expect(await ok(engine, cell)).toEqual(value);
  });

  test('importing a Node builtin brings @types/node: fs is typed, in value and type positions of later cells', async () => {
    const engine = newEngine();
    await ok(engine, 'import * as fs from "fs"');
    expect(engine.nodeTypes).toBe('full');
    expect(await ok(engine, 'const text: string = fs.readFileSync("package.json", "utf8"); typeof text')).toBe('string');
    expect((await fails(engine, 'const n: number = fs.readFileSync("package.json")')).evalue).toMatch(/^TS2322: Type '(NonShared)?Buffer/);
    expect(await ok(engine, 'const st: fs.Stats = fs.statSync("."); st.isDirectory()')).toBe(true);
    expect((await fails(engine, 'fs.readFileSync(1, 2, 3)')).evalue).toMatch(/^TS2554/);
  });

  test('require("child_process"), NodeJS.* and a member the lite globals lack all switch to @types/node', async () => {
    for (const cell of [
      'const cp = require("child_process"); typeof cp',
      'let tm: NodeJS.Timeout | undefined; typeof tm',
      'typeof process.stdin.setEncoding',
    ]) {
      const engine = newEngine();
      await ok(engine, cell);
      expect(engine.nodeTypes).toBe('full');
    }
  });

  test('completion after importing a builtin sees its members', () => {
    const engine = newEngine();
    const code = 'import * as nodePath from "node:path"\nnodePath.jo';
    expect(engine.complete(code, code.length).matches).toContain('join');
  });
});

describe('namespaces from earlier cells in type positions', () => {
  test('a namespace import of the runtime names its types later', async () => {
    const engine = newEngine();
    await ok(engine, 'import * as futures from "concurrent.futures"');
    expect(await ok(engine, 'const xs: futures.Future<number>[] = []; xs.length')).toBe(0);
    expect((await fails(engine, 'const ys: futures.Future<number>[] = ["no"]')).evalue).toMatch(/^TS2322/);
    expect((await fails(engine, 'futures = 1')).evalue).toMatch(/^TS/);
  });

  test('a cell\'s namespace and enum name their members as types; redefining the name replaces them', async () => {
    const engine = newEngine();
    await ok(engine, 'namespace Shapes { export type Side = number; export const unit = 1 }\nenum Color { Red, Green }');
    expect(await ok(engine, 'const s: Shapes.Side = Shapes.unit; const c: Color.Green = Color.Green; s + c')).toBe(2);
    await ok(engine, 'const Shapes = "now a string"');
    expect(await ok(engine, 'Shapes.length')).toBe(12);
  });
});
