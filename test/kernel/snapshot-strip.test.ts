/**
 * strip-typescript.js (kernel/snapshot): the compiler the blob is built from, minified (comments, whitespace, local
 * names). It must be the same compiler (same exports, same answers and messages) and less than half the size, in
 * ASCII (one other character would make V8 keep the whole source two bytes a character).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { compilerSource } from '../../kernel/cells/typescript-source';

const ROOT = path.resolve(__dirname, '..', '..');
const TS_FILE = path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-strip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Ts = typeof import('typescript');

/** Loads a copy of the compiler from `source` under typescript.js's name, as build-entry.ts does. */
function load(source: string): Ts {
  const mod = { exports: {} as Ts };
  const wrapper = vm.runInThisContext(Module.wrap(source), { filename: TS_FILE }) as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(TS_FILE), mod, TS_FILE, path.dirname(TS_FILE));
  return mod.exports;
}

test('the stripped compiler is smaller, ASCII, and the same compiler', () => {
  const out = path.join(dir, 'typescript.js');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'kernel', 'snapshot', 'strip-typescript.js'), TS_FILE, out], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(statSync(out).size).toBeLessThan(0.5 * statSync(TS_FILE).size);
  const source = readFileSync(out, 'latin1');
  expect(/[^\x00-\x7f]/.test(source)).toBe(false);

  const stripped = load(source);
  const original = load(readFileSync(TS_FILE, 'utf8'));
  expect(stripped.version).toBe(original.version);
  // The exports of the compiler the kernel compiles (typescript-source.ts: without the sections it never runs).
  const kernels = load(compilerSource(readFileSync(TS_FILE, 'utf8')));
  expect(Object.keys(stripped).sort()).toEqual(Object.keys(kernels).sort());
  // Local names are mangled (createProgram is no longer called so), names that are properties are not.
  expect(stripped.createProgram.name).not.toBe('createProgram');
  expect(stripped.SyntaxKind[stripped.SyntaxKind.ArrowFunction]).toBe('ArrowFunction');

  // Same answers: a diagnostic, and an emit.
  const check = (ts: Ts) => {
    const file = ts.createSourceFile('/cell.ts', 'const s: string = 1;\nexport const xs = [1, 2].map((x) => x * 2);', ts.ScriptTarget.ES2022, true);
    const host = ts.createCompilerHost({ noLib: true });
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (name, ...rest) => (name === '/cell.ts' ? file : getSourceFile(name, ...rest));
    const program = ts.createProgram(['/cell.ts'], { noLib: true, types: [] }, host);
    const diagnostics = program.getSemanticDiagnostics(file).map((d) => `${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    const emitted = ts.transpileModule(file.text, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
    return { diagnostics, emitted };
  };
  const answers = check(stripped);
  expect(answers.diagnostics).toContain("2322 Type 'number' is not assignable to type 'string'.");
  expect(answers).toEqual(check(original));
});

test('no output file: a usage error, not a half-written copy', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'kernel', 'snapshot', 'strip-typescript.js'), TS_FILE], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/usage: strip-typescript\.js IN OUT/);
});
