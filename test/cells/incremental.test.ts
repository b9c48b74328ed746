/**
 * The incremental design (declarations.ts): plain variables reach later cells through printed types, so a cell adds
 * no file and TypeScript reuses the program structure; everything else keeps pointing at the cell's module.
 * Asserted through behaviour (what later cells may and may not do) plus the program's file count.
 */
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import type { CellProject } from '../../kernel/cells/project';

let engine: CellEngine;
const project = () => (engine as unknown as { project: CellProject }).project;
const fileCount = () => project().program().getSourceFiles().length;

beforeAll(() => {
  engine = createEngine({ cwd: path.join(__dirname, '..', '..') });
});

async function status(code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

test('cells of plain variables add no file to the program', async () => {
  expect(await status('const warm = 1')).toBe('ok');
  const before = fileCount();
  for (let i = 0; i < 20; i++) expect(await status(`const v${i} = { n: ${i}, tags: ["a"] as string[] }; let w${i} = new Map<string, number>()`)).toBe('ok');
  expect(fileCount()).toBe(before);
  expect(await status('const total: number = v3.n + v19.n; w0.set("x", total); v7.tags.push("b")')).toBe('ok');
});

test('printed types keep literal, readonly, optional and let/const meaning', async () => {
  expect(await status('const lit = 17; let widened = 17; const ro = [1, "x"] as const; let maybe: string | undefined')).toBe('ok');
  expect(await status('const seventeen: 17 = lit')).toBe('ok');
  expect(await status('const seventeen2: 17 = widened')).toMatch(/^TSError: TS2322/);
  expect(await status('ro[0] = 2')).toMatch(/^TSError: TS2540/);
  expect(await status('maybe.length')).toMatch(/^TSError: TS18048/);
  expect(await status('widened = 3; maybe = "s"')).toBe('ok');
  expect(await status('lit = 3')).toMatch(/^TSError: TS2588/);
});

test('variables whose type names a cell definition keep pointing at that cell, across redefinitions', async () => {
  expect(await status('class Box { constructor(public v: number) {} }\nconst box = new Box(1); const sym = Symbol("s")')).toBe('ok');
  // Box is redefined with another shape: the old box keeps the old class's type.
  expect(await status('class Box { constructor(public s: string) {} }')).toBe('ok');
  expect(await status('const n: number = box.v')).toBe('ok');
  expect(await status('box.s')).toMatch(/^TSError: TS2339/);
  expect(await status('const s2: typeof sym = sym')).toBe('ok');
});

test('redefining a printed variable with another type', async () => {
  expect(await status('const re = 1')).toBe('ok');
  expect(await status('const re = "one"')).toBe('ok');
  expect(await status('const upper: string = re.toUpperCase()')).toBe('ok');
  expect(await engine.execute('upper')).toMatchObject({ status: 'ok', value: 'ONE' });
});
