/**
 * Cells import like modules (issue 24 items 1-4 and 8, issue 17): local .ts modules, packages without types, UMD
 * packages, resolution from the notebook's folder only, `npm:` specifiers, imports that shadow globals, `import()`.
 * The notebook is test/fixtures/notebook (its own node_modules), or a copy of it outside the checkout. ES-module-only
 * packages are imported in test/kernel/real-engine.test.ts: under jest, require() of an ES module is jest's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'notebook');
let engine: CellEngine;
let outside: string;
let isolated: CellEngine;

beforeAll(() => {
  engine = createEngine({ cwd: FIXTURE });
  // Outside the checkout: no node_modules above it holds the kernel's own dependencies.
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-notebook-'));
  fs.cpSync(FIXTURE, outside, { recursive: true });
  isolated = createEngine({ cwd: outside });
});
// Cells run in the jest worker's own realm, whose globals outlive this file and seed later files' environments
// (jest copies `fetch` from it): what a cell here rebinds (`const fetch = ...`) is put back.
const realm = vm.runInThisContext('globalThis') as Record<string, unknown>;
const nativesBefore = Object.getOwnPropertyDescriptors(realm);
afterAll(() => {
  fs.rmSync(outside, { recursive: true, force: true });
  for (const [name, descriptor] of Object.entries(nativesBefore)) {
    if (realm[name] !== descriptor.value && descriptor.configurable) Object.defineProperty(realm, name, descriptor);
  }
});

async function value(e: CellEngine, code: string): Promise<unknown> {
  const r = await e.execute(code);
  if (r.status !== 'ok') throw new Error(`cell failed: ${r.ename}: ${r.evalue}\n${r.traceback.join('\n')}`);
  return r.hasValue ? r.value : undefined;
}
async function status(e: CellEngine, code: string): Promise<string> {
  const r = await e.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

describe('local TypeScript modules', () => {
  test('import from a .ts file beside the notebook (and what it imports), type-checked with the cell', async () => {
    expect(await value(engine, 'import { maxPlus } from "./max-plus";\nmaxPlus(2, 5)')).toBe(6);
    expect(await value(engine, 'maxPlus(9, 1)')).toBe(10);
    expect(await status(engine, 'maxPlus("a", 1)')).toMatch(/^TSError: TS2345: Argument of type 'string'/);
  });

  test('an edited module is recompiled and checked again when the cell is re-run', async () => {
    const cell = 'import { maxPlus as edited } from "./max-plus";\nedited(1, 2)';
    expect(await value(isolated, cell)).toBe(3);
    fs.writeFileSync(path.join(outside, 'lib', 'offset.ts'), 'export const offset = 100;\n');
    expect(await value(isolated, cell)).toBe(102);
    fs.writeFileSync(path.join(outside, 'lib', 'offset.ts'), 'export const offset: number = "no";\n');
    const error = await isolated.execute(cell);
    expect(error).toMatchObject({ status: 'error', ename: 'TSError', evalue: "TS2322: Type 'string' is not assignable to type 'number'." });
    expect(error.status === 'error' && error.traceback.join('\n')).toContain(`File ${path.join(outside, 'lib', 'offset.ts')}:1\n    export const offset: number = "no";\n                 ^^^^^^`);
    fs.writeFileSync(path.join(outside, 'lib', 'offset.ts'), 'export const offset = 1;\n');
    expect(await value(isolated, cell)).toBe(3);
  });

  test('an import that fails leaves no name behind, declared but undefined', async () => {
    fs.writeFileSync(path.join(outside, 'broken.ts'), 'export const trace = (s: string) => s;\nthrow new Error("broken at load");\n');
    expect(await status(isolated, 'import { trace } from "./broken";\ntrace("x")')).toBe('Error: broken at load');
    expect(await status(isolated, 'trace("x")')).toMatch(/^TSError: TS2304: Cannot find name 'trace'/);
    expect(await status(isolated, 'import { gone } from "./not-there"')).toMatch(/^TSError: TS2307/);
  });
});

describe('packages', () => {
  test('a package without types imports as Node would, any-typed, default and namespace alike', async () => {
    expect(await value(engine, 'import he from "untyped-pkg";\nhe.encode("<a&b>")')).toBe('&lt;a&amp;b>');
    expect(await value(engine, 'import * as he2 from "untyped-pkg";\nhe2.version')).toBe('1.2.3');
    expect(await value(engine, 'he.version + he2.encode("<")')).toBe('1.2.3&lt;');
  });

  test('a UMD-global package imported in one cell is usable in the next', async () => {
    expect(await value(engine, 'import umdPkg from "umd-pkg";\numdPkg(2)')).toBe(4);
    expect(await value(engine, 'umdPkg.version + ":" + umdPkg(21)')).toBe('2.0.0:42');
  });

  test('modules resolve from the notebook folder only: not the kernel\'s own dependencies; the runtime still', async () => {
    expect(await status(isolated, 'import { Piscina } from "piscina"')).toMatch(/^TSError: TS2307: Cannot find module 'piscina'/);
    expect(await status(isolated, 'const p = require("piscina")')).toMatch(/^Error: Cannot find module 'piscina'/);
    expect(await status(isolated, 'const t = await import("typescript")')).toMatch(/^TSError: TS2307/);
    expect(await value(isolated, 'import { sum } from "tsfutures";\nimport * as cf from "concurrent.futures";\nsum([1, 2]) + (typeof cf.ThreadPoolExecutor)')).toBe('3function');
    expect(await value(isolated, 'import he3 from "untyped-pkg";\nhe3.version')).toBe('1.2.3');
  });

  test('npm: specifiers mean the installed package; a version it does not satisfy is an error naming both', async () => {
    expect(await value(engine, 'import npmHe from "npm:untyped-pkg@1.2.3";\nnpmHe.version')).toBe('1.2.3');
    expect(await value(engine, 'import * as npmHe2 from "npm:untyped-pkg@^1.1";\nnpmHe2.encode("<")')).toBe('&lt;');
    expect(await value(engine, 'import npmUmd from "npm:umd-pkg";\nnpmUmd(1)')).toBe(2);
    expect(await status(engine, 'import npmOld from "npm:untyped-pkg@2.0.0"')).toBe(
      `Error: npm:untyped-pkg@2.0.0: the installed untyped-pkg is version 1.2.3 (${path.join(FIXTURE, 'node_modules', 'untyped-pkg')}), not 2.0.0`,
    );
    expect(await status(engine, 'npmOld')).toMatch(/^TSError: TS2304/);
  });
});

describe('imports bind names that are also globals, in their cell and later ones', () => {
  test('import * as crypto from "node:crypto"', async () => {
    expect(await value(engine, 'import * as crypto from "node:crypto";\ntypeof crypto.createHash')).toBe('function');
    expect(await value(engine, 'crypto.createHash("sha256").update("abc").digest("hex").slice(0, 8)')).toBe('ba7816bf');
    expect(await value(engine, 'function digest(s: string) { return crypto.createHash("md5").update(s).digest("hex").slice(0, 6); }\ndigest("a")')).toBe('0cc175');
    expect(await value(engine, 'digest("b")')).toBe('92eb5f');
  });

  test('setTimeout from node:timers/promises, and the kernel\'s own setTimeout is untouched', async () => {
    expect(await value(engine, 'import { setTimeout } from "node:timers/promises";\nawait setTimeout(1, "same cell")')).toBe('same cell');
    expect(await value(engine, 'await setTimeout(1, "next cell")')).toBe('next cell');
    expect(await value(engine, '(globalThis.setTimeout as unknown) === setTimeout')).toBe(false);
    expect(typeof globalThis.setTimeout(() => undefined, 0)).toBe('object');
  });

  test('performance from node:perf_hooks and fetch from a local module', async () => {
    expect(await value(engine, 'import { performance } from "node:perf_hooks";\ntypeof performance.timerify')).toBe('function');
    expect(await value(engine, 'typeof performance.eventLoopUtilization')).toBe('function');
    expect(await value(engine, 'import { fetch } from "./fake-fetch";\nfetch("a")')).toBe('local a');
    expect(await value(engine, 'fetch("b")')).toBe('local b');
  });

  test('a later declaration of the name replaces the import', async () => {
    await value(engine, 'import { fetch as f2 } from "./fake-fetch"');
    expect(await value(isolated, 'import { fetch } from "./fake-fetch";\nfetch("x")')).toBe('local x');
    expect(await value(isolated, 'const fetch = (u: string) => `mine ${u}`;\nfetch("y")')).toBe('mine y');
    expect(await value(isolated, 'fetch("z")')).toBe('mine z');
  });
});

describe('import() in cells', () => {
  test('node: modules, CommonJS packages and local modules', async () => {
    expect(await value(engine, 'const { setTimeout: sleep } = await import("node:timers/promises");\nawait sleep(1, 5)')).toBe(5);
    expect(await value(engine, 'const cjs = await import("untyped-pkg");\ncjs.default.version')).toBe('1.2.3');
    expect(await value(engine, 'const local = await import("./max-plus");\nlocal.maxPlus(1, 1)')).toBe(2);
    expect(await value(engine, 'async function later() { return (await import("untyped-pkg")).default.encode("<"); }\nawait later()')).toBe('&lt;');
  });
});

test('completion and inspection after a shadowing import see the import, not the global', async () => {
  await value(engine, 'import * as crypto from "node:crypto"');
  const code = 'crypto.createH';
  const completion = engine.complete(code, code.length);
  expect(completion.matches).toContain('createHash');
  const inspection = engine.inspect('crypto.createHash', 'crypto.create'.length, 0);
  expect(inspection.found && JSON.stringify(inspection.data)).toMatch(/createHash\(algorithm: string/);
});
