/**
 * The `Deno` namespace (kernel/output/deno.ts, issue 24): cells written for Deno's kernel find Deno.jupyter, version,
 * env, cwd and files, while globalThis has no Deno (packages that detect Deno by `typeof Deno` keep seeing Node).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import { REALM_GLOBAL } from '../../kernel/cells/runner';
import type { CellEngine } from '../../kernel/protocol/engine';

let dir: string;
let engine: CellEngine;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-deno-'));
  engine = createEngine({ cwd: dir });
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  // The last test's cell defines a global Deno (a `var`: not deletable) on the realm jest seeds later test files
  // from: packages there must not take it for Deno's (they test `typeof Deno`).
  (REALM_GLOBAL as Record<string, unknown>).Deno = undefined;
});

async function value(code: string): Promise<unknown> {
  const r = await engine.execute(code);
  if (r.status !== 'ok') throw new Error(`${r.ename}: ${r.evalue}`);
  return r.value;
}

test('cells have Deno, the global object does not', async () => {
  expect(await value('[typeof Deno, typeof (globalThis as any).Deno, "Deno" in globalThis]')).toEqual(['object', 'undefined', false]);
  expect(await value('Deno.cwd()')).toBe(process.cwd());
  expect(await value('[Deno.version.typescript, Deno.version.v8, Deno.build.os, Deno.args.length]')).toEqual([require('typescript').version, process.versions.v8, 'linux', 0]);
  process.env.TSF_DENO_TEST = 'yes';
  expect(await value('Deno.env.get("TSF_DENO_TEST")')).toBe('yes');
  // A function a cell defines keeps it for later cells (a parameter of its cell's wrapper, which it closes over).
  expect(await value('function denoOs() { return Deno.build.os; }')).toBeUndefined();
  expect(await value('denoOs()')).toBe('linux');
});

test("Deno.jupyter's tagged templates and $display give mime bundles", async () => {
  expect(await value('const { html, md, svg } = Deno.jupyter;\nconst n = 3;\nmd`# ${n} signups`[Deno.jupyter.$display]()')).toEqual({ 'text/markdown': '# 3 signups' });
  expect(await value('html`<i>${n}</i>`[Symbol.for("Jupyter.display")]()')).toEqual({ 'text/html': '<i>3</i>' });
  expect(await value('await Deno.jupyter.format(md`*x*`)')).toEqual({ 'text/markdown': '*x*' });
});

test('files with Deno\'s semantics and errors', async () => {
  const file = path.join(dir, 'note.txt');
  expect(await value(`await Deno.writeTextFile(${JSON.stringify(file)}, "one");\nawait Deno.writeTextFile(${JSON.stringify(file)}, "+two", { append: true });\nawait Deno.readTextFile(${JSON.stringify(file)})`)).toBe('one+two');
  expect(await value(`Array.from(Deno.readFileSync(${JSON.stringify(file)}).slice(0, 3))`)).toEqual([111, 110, 101]);
  const missing = await engine.execute(`await Deno.readTextFile(${JSON.stringify(path.join(dir, 'missing.txt'))})`);
  expect(missing).toMatchObject({ status: 'error', ename: 'NotFound', evalue: `No such file or directory (os error 2): readfile '${path.join(dir, 'missing.txt')}'` });
  expect(await value('let notFound = false;\ntry { await Deno.readTextFile("/nonexistent/x"); } catch (e) { notFound = e instanceof Deno.errors.NotFound; }\nnotFound')).toBe(true);
  const open = await engine.execute('await Deno.open("x.txt")');
  expect(open).toMatchObject({ status: 'error', ename: 'NotSupported', evalue: expect.stringMatching(/^Deno\.open is not available in tsfutures/) });
});

test('Deno.test runs the test at once and reports as deno test does', async () => {
  const written: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (written.push(String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (written.push(String(s)), true));
  try {
    expect(await value('Deno.test("passing test", () => {});\nDeno.test({ name: "failing test", fn: () => { throw new Error("boom"); } });')).toBeUndefined();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  expect(written[0]).toMatch(/^passing test \.\.\. ok \(\d+ms\)\n$/);
  expect(written[1]).toMatch(/^failing test \.\.\. FAILED \(\d+ms\)\n$/);
  expect(written[2]).toMatch(/^failing test => Error: boom/);
});

test('Deno is typed: a wrong call is a type error', async () => {
  expect(await engine.execute('Deno.cwd(1)')).toMatchObject({ status: 'error', ename: 'TSError', evalue: expect.stringMatching(/^TS2554: Expected 0 arguments, but got 1/) });
});

test("a cell's own Deno takes over", async () => {
  expect(await value('const Deno = { mine: true };\nDeno.mine')).toBe(true);
  expect(await value('Deno.mine')).toBe(true);
});
