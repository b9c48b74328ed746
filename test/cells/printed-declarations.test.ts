/**
 * Functions reach later cells as printed signatures in the global script (declarations.ts), so a cell of functions
 * adds no file to the program. Asserted through what later cells may and may not do, the program's file count and
 * the docs inspect shows. Classes still reach later cells through their cell's module: asserted by behaviour only.
 */
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import type { CellProject } from '../../kernel/cells/project';
import { CHUNK_SIZE } from '../../kernel/cells/declarations';

let engine: CellEngine;
const project = () => (engine as unknown as { project: CellProject }).project;
const fileCount = () => project().program().getSourceFiles().length;
const globalScript = () =>
  project()
    .program()
    .getSourceFiles()
    .filter((f) => project().isGlobalScript(f.fileName))
    .map((f) => f.text)
    .join('');

beforeAll(() => {
  engine = createEngine({ cwd: path.join(__dirname, '..', '..') });
});

async function status(code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

async function value(code: string): Promise<unknown> {
  const r = await engine.execute(code);
  if (r.status !== 'ok') throw new Error(`${r.ename}: ${r.evalue}`);
  return r.value;
}

test('cells of functions add no file to the program (only a global script chunk per CHUNK_SIZE names)', async () => {
  expect(await status('const warm = 1')).toBe('ok');
  const before = fileCount();
  for (let i = 0; i < 20; i++) expect(await status(`function f${i}(x: number) { return x * ${i} } f${i}(1)`)).toBe('ok');
  expect(fileCount()).toBeLessThanOrEqual(before + 1);
  expect(await value('f3(2) + f19(1)')).toBe(25);
  expect(await status('const s: string = f3(2)')).toMatch(/^TSError: TS2322/);
});

test('overloads keep every signature and their doc comment', async () => {
  expect(
    await status(
      '/** Halves a number or a string. */\nfunction half(x: number): number;\nfunction half(x: string): string;\n' +
        'function half(x: any) { return typeof x === "number" ? x / 2 : x.slice(0, x.length / 2) }',
    ),
  ).toBe('ok');
  expect(await status('const n: number = half(4); const t: string = half("abcd")')).toBe('ok');
  expect(globalScript()).toContain('/** Halves a number or a string. */\ndeclare function half(x: number): number;\ndeclare function half(x: string): string;');
  expect(await value('[n, t].join()')).toBe('2,ab');
  expect(await status('half(true)')).toMatch(/^TSError: TS2769/);
  // The implementation signature is not callable from outside, as before.
  expect(await status('half(4 as any as number | string)')).toMatch(/^TSError: TS2769/);
  const info = engine.inspect('half(1)', 2, 0);
  expect(info.data['text/plain']).toContain('Halves a number or a string.');
});

test('a generic function keeps its type parameters and constraints', async () => {
  expect(await status('function firstOf<T extends { id: number }>(xs: T[], fallback?: T): T | undefined { return xs[0] ?? fallback }')).toBe('ok');
  expect(await value('const got = firstOf([{ id: 1, name: "a" }]); got?.name')).toBe('a');
  expect(globalScript()).toMatch(/declare function firstOf<T extends \{ id: number; \}>\(xs: T\[\]/);
  expect(await status('firstOf([1])')).toMatch(/^TSError: TS2322/);
  expect(await status('async function* countTo(n = 2) { for (let i = 1; i <= n; i++) yield i }')).toBe('ok');
  expect(await value('const seen: number[] = []; for await (const i of countTo()) seen.push(i); seen.join()')).toBe('1,2');
});

test('redefinition replaces the signatures, not adds an overload', async () => {
  expect(await status('function redo(x: number) { return x + 1 }')).toBe('ok');
  expect(await status('function redo(s: string[]) { return s.length }')).toBe('ok');
  expect(await value('redo(["a", "b"])')).toBe(2);
  expect(await status('redo(1)')).toMatch(/^TSError: TS2345/);
  expect(await status('const redo = "now a string"')).toBe('ok');
  expect(await value('redo.toUpperCase()')).toBe('NOW A STRING');
  expect(await status('function redo() { return 7 }')).toBe('ok');
  expect(await value('const seven: number = redo(); seven')).toBe(7);
});

test('functions that cannot be printed faithfully keep pointing at their cell', async () => {
  // Expando property, a cell-local type in the signature.
  expect(await status('function counter() { return counter.count++ } counter.count = 0')).toBe('ok');
  expect(await value('counter(); counter.count')).toBe(1);
  expect(await status('interface Pt { x: number }\nfunction mk(x: number): Pt { return { x } }')).toBe('ok');
  expect(await value('const p: Pt = mk(3); p.x')).toBe(3);
});

test('interfaces and type aliases of library names are printed; a later cell uses them as before', async () => {
  const before = fileCount();
  expect(await status('/** A tree. */\ninterface Tree<T> { value: T; kids: Tree<T>[]; at?: Date }\ntype Pair<A, B = A> = [A, B];\ntype Json = string | number | Json[] | { [k: string]: Json }')).toBe('ok');
  expect(fileCount()).toBe(before);
  expect(await value('const leaf: Tree<number> = { value: 2, kids: [] }; const t: Tree<number> = { value: 1, kids: [leaf] }; t.kids[0].value')).toBe(2);
  expect(globalScript()).toContain('/** A tree. */\ninterface Tree<T> { value: T; kids: Tree<T>[]; at?: Date }');
  expect(await status('const bad: Tree<number> = { value: "x", kids: [] }')).toMatch(/^TSError: TS2322/);
  expect(await status('const p: Pair<number> = [1, 2]; const q: Pair<number, string> = [1, "a"]; const j: Json = { a: [1, "b"] }')).toBe('ok');
  expect(await status('const p2: Pair<number> = [1, "a"]')).toMatch(/^TSError: TS2322/);
  // Redefinition replaces; an `extends` keeps its cell.
  expect(await status('type Pair<A> = { left: A }')).toBe('ok');
  expect(await status('const l: Pair<number> = { left: 1 }')).toBe('ok');
  expect(await status('interface Named extends Tree<string> { name: string }')).toBe('ok');
  expect(await status('const nm: Named = { value: "v", kids: [], name: "n" }')).toBe('ok');
});

test('a class is usable as a type and a value in a later cell, and redefinition replaces it', async () => {
  expect(await status('/** A 2-D point. */\nclass P2<T = number> { constructor(public x: T, public y: T) {} norm1() { return 2 } static origin() { return new P2(0, 0) } }')).toBe('ok');
  expect(await value('const q: P2 = new P2(1, 2); const r: P2<string> = new P2("a", "b"); q.x + q.norm1() + P2.origin().y + r.y')).toBe('3b');
  expect(await status('const bad: P2 = new P2("a", "b")')).toMatch(/^TSError: TS2322/);
  expect(await status('class P2 { constructor(public label: string) {} }')).toBe('ok');
  expect(await value('new P2("z").label')).toBe('z');
  expect(await status('new P2(1, 2)')).toMatch(/^TSError: TS2554/);
});

test('names spread over several global script chunks stay visible, typed and redefinable', async () => {
  const n = CHUNK_SIZE * 2 + 5;
  const before = fileCount();
  // One cell declaring many names fills chunks in one go; later cells redefine names in old chunks.
  const decls = Array.from({ length: n }, (_, i) => `const chunked${i} = (x: number) => x + ${i};`).join('\n');
  expect(await status(decls)).toBe('ok');
  // Declared once a later cell mentions them (declarations.ts `use`): this one mentions them all.
  const all = Array.from({ length: n }, (_, i) => `chunked${i}`).join(', ');
  expect(await value(`[${all}].reduce((sum, f) => sum + f(0), 0)`)).toBe((n * (n - 1)) / 2);
  expect(fileCount()).toBeGreaterThanOrEqual(before + 2);
  expect(fileCount()).toBeLessThanOrEqual(before + 3);
  expect(await value(`chunked0(1) + chunked${CHUNK_SIZE}(1) + chunked${n - 1}(1)`)).toBe(1 + CHUNK_SIZE + 1 + n);
  expect(await status('const bad: string = chunked1(1)')).toMatch(/^TSError: TS2322/);
  // Redefined with another type: the old declaration leaves its chunk (no duplicate-declaration clash).
  expect(await status('const chunked1 = (s: string) => s.length')).toBe('ok');
  expect(await value('chunked1("abc")')).toBe(3);
  expect(await status('chunked1(1)')).toMatch(/^TSError: TS2345/);
  expect(await value(`chunked2(1)`)).toBe(3);
  expect(globalScript().match(/declare const chunked1:/g)).toHaveLength(1);
});

test('a name enters the global script only once a later cell, completion or inspection mentions it', async () => {
  expect(await value('function lazyA(x: number) { return x * 2 } const lazyB = 21; lazyA(lazyB)')).toBe(42);
  // Used only by the cell that defined it: not in the program.
  expect(globalScript()).not.toMatch(/lazyA|lazyB/);
  // A later cell mentioning it, inside a function body and a template literal, sees it with its type.
  expect(await value('function twice() { return lazyA(lazyB) } `${twice()}`')).toBe('42');
  expect(globalScript()).toContain('declare function lazyA(x: number): number;');
  expect(await status('const wrong: string = lazyA(1)')).toMatch(/^TSError: TS2322/);
  // Completion of a prefix lists names no cell has mentioned yet; inspect finds them too.
  expect(await status('/** Never called. */\nfunction lazyUnseen(s: string) { return s }\nconst lazyOther = 1')).toBe('ok');
  // A member completion lists no globals, so it declares none (`lazyOther` stays out).
  expect(engine.complete('"abc".', 6).matches).toContain('length');
  expect(globalScript()).not.toMatch(/lazyOther|lazyUnseen/);
  expect(engine.complete('lazyUn', 6).matches).toEqual(['lazyUnseen']);
  expect(globalScript()).not.toMatch(/lazyOther/);
  expect(await status('/** Not called either. */\nfunction lazyInspected(n: number) { return n }')).toBe('ok');
  expect(engine.inspect('lazyInspected', 3, 0).data['text/plain']).toContain('Not called either.');
  // A name once mentioned stays declared when redefined (earlier cells' modules may name it).
  expect(await status('const lazyB = "now text"')).toBe('ok');
  // A declaring cell's declarations are published in the turn after its reply (publishing.ts, publishAfterRun).
  await new Promise((resolve) => setImmediate(resolve));
  expect(globalScript()).toMatch(/declare const lazyB: "now text";/);
  expect(await value('lazyB.length')).toBe(8);
});
