/**
 * Plain Node (no kernel, no registerShippingScope): a CommonJS module as tsc emits it, whose functions use what it
 * imports (a node: module by name, as a namespace shadowing the global `crypto` and as a default import, and a package
 * installed beside it), ships those functions to process and interpreter pools (runtime/futures/module-imports.ts).
 * Jest's own module registry is not Node's require.cache, so the user's program runs in a child node process.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts = require('typescript');

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'ship-notebook');
const RUNTIME = path.join(__dirname, '..', '..', '..', 'dist', 'runtime', 'index.js');

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-module-imports-'));
  const { outputText } = ts.transpileModule(fs.readFileSync(path.join(FIXTURE, 'hasher.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  fs.writeFileSync(path.join(dir, 'hasher.js'), outputText);
  fs.symlinkSync(path.join(FIXTURE, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const program = `
const { ProcessPoolExecutor, InterpreterPoolExecutor } = require(${JSON.stringify(RUNTIME)});
const { digest, loudDigest, loudBase, digester } = require('./hasher.js');
(async () => {
  const out = {};
  for (const [kind, Pool] of [['Process', ProcessPoolExecutor], ['Interpreter', InterpreterPoolExecutor]]) {
    const pool = new Pool({ max_workers: 1 });
    try {
      const submitted = [];
      for (const [f, arg] of [[digest, 'abc'], [loudDigest, 'abc'], [loudBase, '/a/b.txt'], [digester(), 'abc']]) {
        submitted.push(await pool.submit(f, arg).result());
      }
      const mapped = [];
      for await (const x of pool.map(loudDigest, ['abc', 'xyz'])) mapped.push(x);
      out[kind] = { submitted, mapped };
    } finally {
      await pool.shutdown();
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e)); process.exitCode = 1; });
`;

test('a plain Node module\'s functions travel with their imports, to process and interpreter pools, by submit and map', async () => {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    const child = execFile(process.execPath, ['-e', program], { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (_e, stdout, stderr) => {
      resolve({ stdout, stderr, code: child.exitCode });
    });
  });
  expect({ stderr, code }).toEqual({ stderr: '', code: 0 });
  const expected = { submitted: ['ba7816bf', 'A9993E!', 'B.TXT!', '9001'], mapped: ['A9993E!', '66B274!'] };
  expect(JSON.parse(stdout)).toEqual({ Process: expected, Interpreter: expected });
}, 90_000);
