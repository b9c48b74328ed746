/**
 * Plain Node, no registerShippingScope: functions of a CommonJS module (tsc's output of
 * test/fixtures/module-scope/scoped.ts) and of the program itself (main.js, run as `node main.js`) use their
 * modules' other top-level names: helper functions, classes, constants exported and not. An exported function
 * travels by reference (the worker requires its module, whose state is then the worker's own, as CPython's worker
 * imports a module); a closure or a main-module function travels by source with what it uses; an unexported value
 * computed at load time is refused at submit, naming it. Jest's module registry is not Node's require.cache, so the
 * program runs in a child node process.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts = require('typescript');

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'module-scope');
const RUNTIME = path.join(__dirname, '..', '..', '..', 'dist', 'runtime', 'index.js');

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-module-scope-'));
  const { outputText } = ts.transpileModule(fs.readFileSync(path.join(FIXTURE, 'scoped.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  fs.writeFileSync(path.join(dir, 'scoped.js'), outputText);
  for (const file of ['main.js', 'esm-main.mjs', 'esm-lib.mjs', 'hooked-main.js', 'ts-hook.js', 'scoped.ts']) fs.copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(program: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [program], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TSFUTURES_RUNTIME: RUNTIME, TSFUTURES_TYPESCRIPT: require.resolve('typescript') } },
      (_e, stdout, stderr) => resolve({ stdout, stderr, code: child.exitCode }));
  });
}

test('module functions travel with their modules\' top-level helpers, classes and constants, to process and interpreter pools', async () => {
  const { stdout, stderr, code } = await run('main.js');
  expect({ stderr, code }).toEqual({ stderr: '', code: 0 });
  const refusal = (fn: string, name: string, file: string) => `TypeError: cannot ship function '${fn}' to a worker process: it uses ` +
    `'${name}', a top-level const of ${file} that is not exported and whose value is computed when the module loads, so a ` +
    'worker cannot remake it: export it (the worker then gets the exported value) or pass it as an argument';
  const expected = {
    // work (by reference), a closure of the module (by source), a function of main.js (by source), viaTable (by reference).
    submitted: [23, 51, 123, 'one'],
    mapped: [23, 51, 123],
    // An exported class's instance made in the worker, and one both ways: the worker's module class, the parent's own back.
    made: [true, 4],
    grown: [true, 6, 12],
    // The parent called countCalls 5 times: the worker's module starts from its own initial state.
    counted: [1, 2],
    refused: [refusal('sinceStart', 'started', 'main.js'), refusal('<anonymous>', 'table', 'scoped.js')],
  };
  expect(JSON.parse(stdout)).toEqual({ Process: expected, Interpreter: expected, parentCalls: 6 });
}, 90_000);

test('a TypeScript module compiled by a require hook (as ts-node and tsx do) ships its functions by source with its top-level names', async () => {
  const { stdout, stderr, code } = await run('hooked-main.js');
  expect({ stderr, code }).toEqual({ stderr: '', code: 0 });
  // work (exported, by source: no worker can require a .ts file), a closure, map, an exported class both ways, the refusal.
  const expected = [23, 51, 23, 33, true, 6, "TypeError: cannot ship function 'viaTable' to a worker process: it uses 'table', a " +
    'top-level const of scoped.ts that is not exported and whose value is computed when the module loads, so a worker cannot ' +
    'remake it: export it (the worker then gets the exported value) or pass it as an argument'];
  expect(JSON.parse(stdout)).toEqual({ Process: expected, Interpreter: expected });
}, 90_000);

test('an ES module\'s function that uses its module\'s names is refused at submit, saying why', async () => {
  const { stdout, stderr, code } = await run('esm-main.mjs');
  expect({ stderr, code }).toEqual({ stderr: '', code: 0 });
  expect(JSON.parse(stdout)).toEqual(Array(2).fill("TypeError: cannot ship function 'work' to a worker process: it uses 'helper', a local " +
    'variable of an enclosing function or a top-level name of an ES module, which shipping cannot read (it reads CommonJS modules): ' +
    'move the function and what it uses to a CommonJS module, or pass the value as an argument'));
}, 90_000);
