/**
 * The entry of `node --build-snapshot` (see kernel/snapshot/index.ts): a V8 heap with the TypeScript compiler loaded
 * and the files every engine parses first (lib.es2023, the lite Node globals, the runtime's declarations) already
 * parsed, in a document registry that the engine's LanguageService then takes over (documents.ts).
 *
 * Node 20's snapshot builder may only require built-in modules: touching the CommonJS loader here breaks the
 * deserialisation (measured: ERR_INTERNAL_ASSERTION in setupUserModules). So the compiler and the engine's project
 * module are loaded by a small loader of our own (vm + the CommonJS wrapper), and only the deserialised process
 * puts the compiler into the real require.cache, then runs the ordinary command line.
 * The builder runs its entry without `exports` and from a copy (index.ts prepends one), so the package root comes
 * from the environment.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Must equal documents.ts's key: the engine looks for the warm registry there. */
const WARM_REGISTRY = Symbol.for('tsfutures.documentRegistry');
/** Set in the deserialised process: started from a blob of today's files (index.ts runningFromSnapshot). */
const FROM_SNAPSHOT = Symbol.for('tsfutures.fromSnapshot');
/** Set instead when the blob was built from other files: the kernel rebuilds it (index.ts maintainSnapshot). */
const STALE_SNAPSHOT = Symbol.for('tsfutures.staleSnapshot');

// Set by index.ts (buildSnapshot).
const ROOT = process.env.TSFUTURES_SNAPSHOT_ROOT ?? path.resolve(__dirname, '..', '..', '..');
const TS_FILE = path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js');

/** Set by index.ts: typescript.js minified (strip-typescript.ts), when it could be written. */
const TS_STRIPPED = process.env.TSFUTURES_SNAPSHOT_TS_SOURCE;

/** What to compile for `file`: the stripped compiler in its place (under its own name: stacks and errors name it). */
function sourceOf(file: string): string {
  return file === TS_FILE && TS_STRIPPED && fs.existsSync(TS_STRIPPED) ? TS_STRIPPED : file;
}

type Exports = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const loaded = new Map<string, Exports>();

/** typescript-source.ts's compilerSource, through this loader (the builder may only require built-ins). */
function compilerSourceOf(text: string): string {
  const file = path.join(ROOT, 'dist', 'kernel', 'cells', 'typescript-source.js');
  return (loadFile(file) as typeof import('../cells/typescript-source')).compilerSource(text);
}

function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** CommonJS without the CommonJS loader: builtins from the real require, relative files through this loader. */
function loadFile(file: string): Exports {
  const known = loaded.get(file);
  if (known) return known;
  const module = { exports: {} as Exports };
  loaded.set(file, module.exports);
  const dir = path.dirname(file);
  const localRequire = (id: string): Exports => {
    if (id === 'typescript') return loadFile(TS_FILE);
    if (id.startsWith('.')) {
      const target = path.resolve(dir, id);
      return loadFile(fs.existsSync(`${target}.js`) ? `${target}.js` : target);
    }
    return require(id) as Exports;
  };
  const source = fs.readFileSync(sourceOf(file), 'utf8');
  // The original compiler (no stripped copy) gets the change the stripped one has (typescript-source.ts).
  const text = file === TS_FILE && sourceOf(file) === file ? compilerSourceOf(source) : source;
  const fn = vm.runInThisContext(wrap(text), { filename: file }) as (...a: unknown[]) => void;
  fn.call(module.exports, module.exports, localRequire, module, file, dir);
  loaded.set(file, module.exports);
  return module.exports;
}

/**
 * A throwaway project in a directory no notebook uses: its program parses the lib files, the lite Node globals and
 * the runtime's declarations (files on disk, shared through the registry whatever the notebook's directory), and
 * the check binds them. Its checker stays in the heap: dropping it (a new program) measured a slower first engine.
 */
function warmUp(): { ts: Exports; registry: unknown; project: Exports } {
  const ts = loadFile(TS_FILE);
  const cells = path.join(ROOT, 'dist', 'kernel', 'cells');
  const { createDocumentRegistry } = loadFile(path.join(cells, 'documents.js'));
  const { CellProject } = loadFile(path.join(cells, 'project.js'));
  const registry = createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir());
  (globalThis as Record<symbol, unknown>)[WARM_REGISTRY] = registry; // the project takes it (documents.ts)
  const project = new CellProject(path.join(os.tmpdir(), '__tsfutures_snapshot__'));
  project.setFile(project.scratchFile, 'import * as __tsf_runtime from "tsfutures";\nexport {};');
  project.service.getSemanticDiagnostics(project.scratchFile);
  return { ts, registry, project };
}
/** `let`: a process that cannot use it (stale key) drops it, and then nothing else holds the snapshot's compiler. */
let warm: ReturnType<typeof warmUp> | undefined = warmUp();
/**
 * Every worker thread of a process started from a blob deserialises the blob's isolate part: ~19 MB of heap before
 * its first line (measured; ~3 MB in an ordinary process). A Worker whose resourceLimits.maxOldGenerationSizeMb is
 * below that does not just fail: V8 aborts the whole kernel ("Fatal javascript OOM in GC during deserialization",
 * measured with 8 MB, the runtime's timeline ticker's limit, started once a cell stamps ~85 tasks; 16 MB fails the
 * worker alone). So in such a process, Worker raises smaller old-generation limits to this (a limit, not a reservation).
 */
const MIN_WORKER_OLD_GENERATION_MB = 64;

function raiseWorkerLimits(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const Base = threads.Worker;
  // Same name, a subclass: instanceof and .name stay as without the snapshot.
  const Worker = class Worker extends Base {
    constructor(filename: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const limits = options?.resourceLimits;
      const low = limits?.maxOldGenerationSizeMb !== undefined && limits.maxOldGenerationSizeMb < MIN_WORKER_OLD_GENERATION_MB;
      super(filename, low ? { ...options, resourceLimits: { ...limits, maxOldGenerationSizeMb: MIN_WORKER_OLD_GENERATION_MB } } : options);
    }
  };
  threads.Worker = Worker;
  (require('node:module') as typeof import('node:module')).syncBuiltinESMExports(); // `import { Worker }` in ESM too
}

/** What this blob was built from (index.ts snapshotKey, passed by buildSnapshot); checked against the files now. */
const BUILT_KEY = process.env.TSFUTURES_SNAPSHOT_KEY;

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // First: the marker the launcher left says "started from this blob, not up yet" (index.ts).
  const blob = process.execArgv[process.execArgv.indexOf('--snapshot-blob') + 1];
  try {
    fs.unlinkSync(`${blob}.${process.pid}.starting`);
  } catch { /* not started by the launcher */ }
  if (process.env.TSFUTURES_SNAPSHOT_PROBE) process.exit(0);
  try {
    // Its last use, for pruning (prune.ts): the atime, set here as mount options make the kernel's unreliable.
    fs.utimesSync(blob, new Date(), fs.statSync(blob).mtime);
  } catch { /* deleted meanwhile, or read-only */ }
  raiseWorkerLimits();

  const Module = require('node:module') as typeof import('node:module') & {
    _nodeModulePaths(dir: string): string[];
  };
  const rootRequire = Module.createRequire(path.join(ROOT, 'package.json'));
  const dist = path.join(ROOT, 'dist', 'kernel');
  if (process.env.TSFUTURES_TRACE_STARTUP) (rootRequire(path.join(dist, 'process', 'startup-trace.js')) as typeof import('../process/startup-trace')).traceStartup('snapshot deserialised');
  // Next: the sockets (session.ts prestartSession). argv is [node, bin/tsfutures.js, ...args] from the launcher
  // (node does not run that script: the name is there for ps), [node, ...args] without it.
  const cli = rootRequire(path.join(dist, 'cli.js')) as typeof import('../cli');
  const argv = process.argv.slice(process.argv[1]?.endsWith('.js') ? 2 : 1);
  const bound = cli.prestartKernel(argv);
  const g = globalThis as Record<symbol, unknown>;
  let fresh = false;
  try {
    fresh = BUILT_KEY !== undefined && (rootRequire(path.join(dist, 'snapshot', 'index.js')) as typeof import('./index')).snapshotKey() === BUILT_KEY;
  } catch { /* files gone or unreadable: not fresh */ }
  if (fresh && warm) {
    // The compiler the engine requires is this one (typescript-code.ts then sees it loaded and does nothing); only
    // the kernel's modules get it (kernel-compiler.ts).
    const mod = new Module(TS_FILE);
    mod.filename = TS_FILE;
    mod.exports = warm.ts;
    mod.paths = Module._nodeModulePaths(path.dirname(TS_FILE));
    mod.loaded = true;
    (rootRequire(path.join(dist, 'cells', 'kernel-compiler.js')) as typeof import('../cells/kernel-compiler')).useAsKernelCompiler(mod);
    g[WARM_REGISTRY] = warm.registry;
    g[FROM_SNAPSHOT] = true;
  } else {
    g[STALE_SNAPSHOT] = true;
    // Built from other files: start exactly as in-process (the engine loads today's compiler and files), let the
    // collector have the snapshot's, and have the kernel rebuild the blob (index.ts maintainSnapshot).
    delete g[WARM_REGISTRY];
  }
  // Visible to cells and tests (process.env.TSFUTURES_SNAPSHOT_STATE), and to a log line; children inherit it, harmlessly.
  process.env.TSFUTURES_SNAPSHOT_STATE = fresh ? 'fresh' : 'stale';
  // The throwaway project, this loader's copies of the engine modules: garbage from here on (the engine has its own).
  warm = undefined;
  loaded.clear();
  // The kernel (and the engine it preloads) once the sockets are bound: the engine's ~60 ms of synchronous work
  // would hold up the bind's completion and the receive loops. The io thread comes after the engine (session.ts
  // startIoThread): a worker started from this blob deserialises its share of it (~17 MB heap vs ~3 in an ordinary
  // process, ~60 ms on an idle core) and slows the engine on the other core.
  const run = () => void cli.main(argv).then((code) => process.exit(code));
  if (bound) void bound.then(run);
  else run();
});
