/**
 * The lib as one merged file (kernel/cells/lib.ts): it must hold exactly the lib files `lib: [...]` would load, and
 * cells must see the same globals, docs and errors as with the separate files.
 */
import * as path from 'node:path';
import { serialize } from 'node:v8';
import ts = require('typescript');
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import type { CellProject } from '../../kernel/cells/project';
import { LIB_FILE, LIB_NAMES, libText } from '../../kernel/cells/lib';

let engine: CellEngine;
const project = () => (engine as unknown as { project: CellProject }).project;

beforeAll(() => {
  engine = createEngine({ cwd: path.join(__dirname, '..', '..') });
});

async function status(code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

test('the merged text is Latin-1 (one byte a character in V8), changed only on doc comment lines', () => {
  expect(libText()).not.toMatch(/[^\x00-\xff]/);
  // V8 stores it one byte a character: its serializer tags a one-byte string '"' and a two-byte one 'c'.
  expect(String.fromCharCode(serialize(libText())[2])).toBe('"');
  // Each lib file's lines, as the merge took them: those that differ are doc comment lines with typography.
  const originals = new Map<string, string[]>();
  for (const m of libText().matchAll(/^\/\/ (lib\.[\w.]+\.d\.ts)$/gm)) {
    originals.set(m[1], ts.sys.readFile(path.join(path.dirname(LIB_FILE), m[1]))!.replace(/^\/\/\/\s*<reference\s+lib="[^"]+"\s*\/>[ \t]*\r?\n?/gm, '').split('\n'));
  }
  const changed: string[] = [];
  let file: string[] = [];
  let line = 0;
  for (const text of libText().split('\n')) {
    const header = /^\/\/ (lib\.[\w.]+\.d\.ts)$/.exec(text);
    if (header && originals.has(header[1])) (file = originals.get(header[1])!), (line = 0);
    else if (text !== file[line++]) changed.push(text);
  }
  expect(changed.length).toBeGreaterThan(0);
  for (const text of changed) expect(text).toMatch(/^\s*\*/);
  expect(libText()).toContain('If all arguments are either +0 or -0, the result is +0.');
});

test('the merged text holds the same lib files as a program with lib: [...], dependencies first', () => {
  const options: ts.CompilerOptions = { lib: LIB_NAMES.map((n) => `lib.${n}.d.ts`), types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  // A program with no root files loads no lib: give it an empty one.
  const empty = path.join(__dirname, '__empty.ts');
  const withRoot = ts.createProgram({
    rootNames: [empty],
    options,
    host: { ...host, getSourceFile: (f, v) => (f === empty ? ts.createSourceFile(f, '', v) : host.getSourceFile(f, v)), fileExists: (f) => f === empty || host.fileExists(f) },
  });
  const expected = withRoot.getSourceFiles().map((f) => path.basename(f.fileName)).filter((n) => n.startsWith('lib.'));
  const merged = [...libText().matchAll(/^\/\/ (lib\.[\w.]+\.d\.ts)$/gm)].map((m) => m[1]);
  // Same files in the same order (a file's lib references before it): merged interfaces keep their overload order.
  expect(merged).toEqual(expected);
  expect(merged.length).toBeGreaterThan(40);
  expect(merged.indexOf('lib.es5.d.ts')).toBeLessThan(merged.indexOf('lib.es2015.core.d.ts'));
  expect(libText()).not.toMatch(/<reference\s+lib=/);
});

test('the program has one lib file, counted as the default library', async () => {
  expect(await status('1 + 1')).toBe('ok');
  const program = project().program();
  const libs = program.getSourceFiles().filter((f) => path.basename(f.fileName).startsWith('lib.'));
  expect(libs.map((f) => f.fileName)).toEqual([LIB_FILE]);
  expect(program.isSourceFileDefaultLibrary(libs[0])).toBe(true);
});

test('ES2023 and disposables are there, the DOM is not', async () => {
  expect(await status('const last: number | undefined = [1, 2, 3].findLast((x) => x > 1)')).toBe('ok');
  expect(await status('const sorted: number[] = [3, 1].toSorted()')).toBe('ok');
  // Types only: Node 20 has the symbols but not yet DisposableStack itself.
  expect(await status('const d: symbol = Symbol.asyncDispose; let stack: AsyncDisposableStack | undefined')).toBe('ok');
  expect(await status('new Intl.Segmenter("ko").segment("안녕").containing(0)?.segment')).toBe('ok');
  expect(await status('document.title')).toMatch(/^TSError: TS2584: Cannot find name 'document'/);
  expect(await status('const n: number = [1].at(0)')).toMatch(/^TSError: TS2322: Type 'number \| undefined' is not assignable to type 'number'/);
});

test('lib docs reach inspect', async () => {
  const code = '[1].findLast';
  const found = engine.inspect(code, code.length, 0);
  expect(found.found).toBe(true);
  expect(found.data['text/plain']).toMatch(/findLast/);
  expect(found.data['text/plain']).toMatch(/Returns the value of the last element in the array where predicate is true/);
  // Tags as quick info gives them: a parameter's name, then its text.
  expect(found.data['text/plain']).toMatch(/\n@param predicate findLast calls predicate once for each element of the array/);
  expect(found.data['text/markdown']).toMatch(/\*@param\* predicate findLast calls/);
});

test('the lib is parsed without its doc comments; inspect reads them on demand, for functions, variables and members', () => {
  const lib = project().program().getSourceFile(LIB_FILE)!;
  const parseInt = lib.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === 'parseInt')!;
  expect((parseInt as { jsDoc?: unknown }).jsDoc).toBeUndefined();
  const plain = (code: string) => engine.inspect(code, code.length, 0).data['text/plain'] as string;
  expect(plain('parseInt')).toMatch(/^function parseInt\(string: string, radix\?: number\): number\n\nConverts a string to an integer\.\n@param string A string to convert into a number\.\n@param radix /);
  // A variable's doc sits on its statement; an interface member's on the member.
  expect(plain('Math')).toMatch(/An intrinsic object that provides basic mathematics functionality and constants\./);
  expect(plain('Math.max')).toMatch(/Returns the larger of a set of supplied numeric expressions\.\n@param values /);
  // A cell's own doc comment is still the parser's, not this.
  expect(plain('/** Halves. */ function half(x: number) { return x / 2 }\nhalf')).toMatch(/\n\nHalves\.$/);
});

test("@types/node's `/// <reference lib=\"es2020\">` resolves to the merged file; `dom` still loads its own file", async () => {
  expect(await status('import * as fs from "node:fs"; const here: boolean = fs.existsSync(".")')).toBe('ok');
  expect(project().hasNodeTypes).toBe(true);
  const libs = () => project().program().getSourceFiles().filter((f) => path.basename(f.fileName).startsWith('lib.')).map((f) => path.basename(f.fileName));
  expect(libs()).toEqual([path.basename(LIB_FILE)]);
  expect(await status('const b: Buffer = Buffer.from("x"); [1, 2].findLast((x) => x > 1)')).toBe('ok');
  // A cell may still ask for a lib outside ours, as with separate lib files.
  expect(await status('/// <reference lib="dom" />\nconst t: typeof document.title | undefined = undefined')).toBe('ok');
});
