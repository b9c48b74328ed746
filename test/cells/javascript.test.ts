/**
 * JavaScript cells (the tsfutures-js kernelspec, issue 24): what tslab's --js runs, runs here, taken from
 * test/foreign's getting_started_javascript notebook; syntax errors and plain-JavaScript errors still fail the cell,
 * TypeScript syntax is refused, and completion knows fields a constructor assigns.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createEngine } from '../../kernel/cells';
import { cellLanguage, LANGUAGE_ENV } from '../../kernel/cells/language';
import type { CellEngine } from '../../kernel/protocol/engine';

const CELLS = {
  'a number += a string': 'let now = 1700000000000;\nnow += "hello";\nnow',
  'fields a constructor assigns': 'class Hello {\n  constructor(name) { this.name = name; }\n  sayHello() { return `Hello, ${this.name}`; }\n}\nconst hello = new Hello("tslab");\nhello.sayHello()',
  'a JSDoc type': '/** @type {any} */\nlet x = 123;\nx += " hello";\nx',
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-js-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function status(engine: CellEngine, code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

test('cells that are valid JavaScript run, though TypeScript rejects them', async () => {
  const js = createEngine({ cwd: dir, language: 'javascript' });
  const typescript = createEngine({ cwd: dir });
  for (const [what, code] of Object.entries(CELLS)) {
    expect([what, await status(js, code)]).toEqual([what, 'ok']);
  }
  expect(await js.execute('[now, hello.name, x]')).toMatchObject({ status: 'ok', value: ['1700000000000hello', 'tslab', '123 hello'] });
  // The same cells fail as TypeScript: the difference is the mode, not the cells.
  expect(await status(typescript, CELLS['a number += a string'])).toMatch(/^TSError: TS2322/);
  expect(await status(typescript, CELLS['fields a constructor assigns'])).toMatch(/^TSError: TS2339/);
});

test('JavaScript errors still fail the cell; TypeScript syntax is refused', async () => {
  const js = createEngine({ cwd: dir, language: 'javascript' });
  expect(await status(js, 'let y = 1;\nlet y = 2;')).toMatch(/^TSError: TS2451: Cannot redeclare block-scoped variable 'y'/);
  expect(await status(js, 'const n: number = 1;')).toMatch(/^TSError: TS8010: Type annotations can only be used in TypeScript files/);
  expect(await status(js, 'notDefinedAnywhere + 1')).toBe('ReferenceError: notDefinedAnywhere is not defined');
  expect(await status(js, 'const s = "ok"; s')).toBe('ok');
});

test('completion lists what JavaScript inference knows', async () => {
  const js = createEngine({ cwd: dir, language: 'javascript' });
  expect(await status(js, CELLS['fields a constructor assigns'])).toBe('ok');
  const code = 'hello.';
  expect(js.complete(code, code.length).matches).toEqual(expect.arrayContaining(['name', 'sayHello']));
});

test('a declaration of a native global\'s name is the cells\' own (not the realm\'s global), and later cells may assign it', async () => {
  const realm = vm.runInThisContext('globalThis') as Record<string, unknown>;
  const nativeFetch = realm.fetch;
  const js = createEngine({ cwd: dir, language: 'javascript' });
  expect(await js.execute('let fetch = (u) => `mine ${u}`;\nfetch("a")')).toMatchObject({ status: 'ok', value: 'mine a' });
  expect(await status(js, 'fetch = (u) => `other ${u}`;')).toBe('ok');
  expect(await js.execute('fetch("b")')).toMatchObject({ status: 'ok', value: 'other b' });
  expect(realm.fetch).toBe(nativeFetch);
});

test('the language comes from TSFUTURES_LANGUAGE; another value is an error naming it', () => {
  expect(cellLanguage({})).toBe('typescript');
  expect(cellLanguage({ [LANGUAGE_ENV]: 'javascript' })).toBe('javascript');
  expect(() => cellLanguage({ [LANGUAGE_ENV]: 'python' })).toThrow('TSFUTURES_LANGUAGE="python": the cells\' language must be "typescript" or "javascript"');
});
