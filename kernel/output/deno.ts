/**
 * The `Deno` namespace for cells written for Deno's Jupyter kernel, implemented on Node: the members notebooks use
 * (Deno.jupyter's display API, version/build/env/cwd/args, text and byte files, Deno.test), with Deno's semantics,
 * and a `NotSupported` error naming the member for the rest of Deno's common API.
 *
 * It is NOT a global: packages detect Deno by `typeof Deno !== "undefined"` and would then call what is not here.
 * The cell engine binds the name for cells only (a parameter of each cell's wrapper, kernel/cells/index.ts) and
 * declares it to the type checker as this module's type, so `typeof globalThis.Deno` stays "undefined".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { display as show } from './display';
import { formatOutput } from './format';
import { PACKAGE_ROOT } from '../install/package-root';

type MimeBundle = Record<string, unknown>;

/** Deno.errors: the classes Deno throws; file errors map from Node's codes (fileError). */
class DenoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
class NotFound extends DenoError {}
class AlreadyExists extends DenoError {}
class PermissionDenied extends DenoError {}
class IsADirectory extends DenoError {}
class NotSupported extends DenoError {}
export const errors = { NotFound, AlreadyExists, PermissionDenied, IsADirectory, NotSupported };

const ERROR_CLASSES: Record<string, new (message: string) => DenoError> = { ENOENT: NotFound, EEXIST: AlreadyExists, EACCES: PermissionDenied, EPERM: PermissionDenied, EISDIR: IsADirectory };

/** A Node file error as Deno reports it: `NotFound: No such file or directory (os error 2): readfile 'x'`. */
function fileError(e: unknown, op: string, file: string | URL): unknown {
  const err = e as NodeJS.ErrnoException;
  const Class = err?.code ? ERROR_CLASSES[err.code] : undefined;
  if (!Class) return e;
  const reason = (err.message.split(': ')[1] ?? err.message).replace(/,.*$/, '');
  const described = reason.charAt(0).toUpperCase() + reason.slice(1);
  return new Class(`${described} (os error ${-(err.errno ?? 0)}): ${op} '${String(file instanceof URL ? file.pathname : file)}'`);
}

function notSupported(member: string): (...args: unknown[]) => never {
  return () => {
    throw new NotSupported(`Deno.${member} is not available in tsfutures (a Node.js kernel): only Deno.jupyter, version, build, env, cwd, args, pid, readTextFile(Sync), writeTextFile(Sync), readFile(Sync), writeFile(Sync) and test are`);
  };
}

const tsfuturesVersion = (require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version;

/**
 * `deno` is no Deno release: a semver prerelease of 0.0.0 naming tsfutures, so version checks treat it as older
 * than any Deno rather than pass as one.
 */
export const version: { readonly deno: string; readonly v8: string; readonly typescript: string } = Object.freeze({
  deno: `0.0.0-tsfutures.${tsfuturesVersion}`,
  v8: process.versions.v8,
  typescript: (require('typescript/package.json') as { version: string }).version,
});

const DENO_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const DENO_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const buildOs = DENO_OS[process.platform] ?? process.platform;
const buildArch = DENO_ARCH[process.arch] ?? process.arch;
export const build: { readonly os: string; readonly arch: string; readonly target: string } = Object.freeze({
  os: buildOs,
  arch: buildArch,
  target: `${buildArch}-${buildOs === 'darwin' ? 'apple-darwin' : buildOs === 'windows' ? 'pc-windows-msvc' : 'unknown-linux-gnu'}`,
});

/** The kernel was started by Jupyter, not with a script's arguments. */
export const args: readonly string[] = Object.freeze([]);
export const pid: number = process.pid;
export const noColor: boolean = Boolean(process.env.NO_COLOR);

export const env = {
  get(key: string): string | undefined {
    return process.env[key];
  },
  set(key: string, value: string): void {
    process.env[key] = value;
  },
  has(key: string): boolean {
    return key in process.env;
  },
  delete(key: string): void {
    delete process.env[key];
  },
  toObject(): Record<string, string> {
    return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  },
};

export function cwd(): string {
  return process.cwd();
}

export function chdir(directory: string | URL): void {
  process.chdir(directory instanceof URL ? directory.pathname : directory);
}

export function hostname(): string {
  return os.hostname();
}

export function execPath(): string {
  return process.execPath;
}

type PathLike = string | URL;
interface WriteFileOptions {
  append?: boolean;
  create?: boolean;
  mode?: number;
}

/** Node's open flag for Deno's options; `create: false` refuses a missing file as Deno does. */
function writeFlag(file: PathLike, options: WriteFileOptions): string {
  if (options.create === false && !fs.existsSync(file)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${String(file)}'`), { code: 'ENOENT', errno: -2 });
  return options.append ? 'a' : 'w';
}

/** Runs a file operation, its Node error turned into Deno's (fileError). */
function fileCall<T>(op: string, file: PathLike, call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw fileError(e, op, file);
  }
}

async function fileCallAsync<T>(op: string, file: PathLike, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw fileError(e, op, file);
  }
}

/** Deno hands file bytes out as a plain Uint8Array over the same memory, not a Buffer. */
function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function nodeWriteOptions(file: PathLike, options: WriteFileOptions): fs.WriteFileOptions {
  return { flag: writeFlag(file, options), mode: options.mode };
}

export function readTextFile(file: PathLike): Promise<string> {
  return fileCallAsync('readfile', file, () => fs.promises.readFile(file, 'utf8'));
}

export function readTextFileSync(file: PathLike): string {
  return fileCall('readfile', file, () => fs.readFileSync(file, 'utf8'));
}

export function readFile(file: PathLike): Promise<Uint8Array> {
  return fileCallAsync('readfile', file, async () => bytesOf(await fs.promises.readFile(file)));
}

export function readFileSync(file: PathLike): Uint8Array {
  return fileCall('readfile', file, () => bytesOf(fs.readFileSync(file)));
}

export function writeTextFile(file: PathLike, data: string, options: WriteFileOptions = {}): Promise<void> {
  return fileCallAsync('writefile', file, () => fs.promises.writeFile(file, data, nodeWriteOptions(file, options)));
}

export function writeTextFileSync(file: PathLike, data: string, options: WriteFileOptions = {}): void {
  fileCall('writefile', file, () => fs.writeFileSync(file, data, nodeWriteOptions(file, options)));
}

export function writeFile(file: PathLike, data: Uint8Array, options: WriteFileOptions = {}): Promise<void> {
  return fileCallAsync('writefile', file, () => fs.promises.writeFile(file, data, nodeWriteOptions(file, options)));
}

export function writeFileSync(file: PathLike, data: Uint8Array, options: WriteFileOptions = {}): void {
  fileCall('writefile', file, () => fs.writeFileSync(file, data, nodeWriteOptions(file, options)));
}

interface TestDefinition {
  name: string;
  fn: () => unknown;
  ignore?: boolean;
}

/**
 * Deno.test in a notebook: the test runs right away and reports as `deno test` does (`name ... ok (3ms)`, or
 * `FAILED` with the error on stderr); an async test reports when it settles. Takes (name, fn), (fn) or
 * ({ name, fn, ignore }). Returns nothing, as Deno's does.
 */
export function test(a: string | TestDefinition | (() => unknown), b?: () => unknown): void {
  const def: TestDefinition = typeof a === 'string' ? { name: a, fn: b! } : typeof a === 'function' ? { name: a.name || '<anonymous>', fn: a } : a;
  if (typeof def?.fn !== 'function') throw new TypeError('Deno.test needs a test function');
  if (def.ignore) {
    process.stdout.write(`${def.name} ... ignored (0ms)\n`);
    return;
  }
  const start = performance.now();
  const took = () => `(${Math.round(performance.now() - start)}ms)`;
  const passed = () => void process.stdout.write(`${def.name} ... ok ${took()}\n`);
  const failed = (e: unknown) => {
    process.stdout.write(`${def.name} ... FAILED ${took()}\n`);
    process.stderr.write(`${def.name} => ${(e as Error)?.stack ?? String(e)}\n`);
  };
  let result: unknown;
  try {
    result = def.fn();
  } catch (e) {
    return failed(e);
  }
  if (result instanceof Promise) result.then(passed, failed);
  else passed();
}

const $display: unique symbol = Symbol.for('Jupyter.display') as never;

/** What Deno.jupyter.html`...` and its kin return: shown with one mimetype. */
type Displayable = { [$display](): MimeBundle };

function tagged(mime: string): (strings: TemplateStringsArray, ...values: unknown[]) => Displayable {
  return (strings, ...values) => {
    const text = String.raw({ raw: strings }, ...values);
    return { [$display]: () => ({ [mime]: text }) };
  };
}

function imageMime(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  throw new TypeError('Deno.jupyter.image: not a PNG or JPEG image');
}

/** Deno.jupyter: the kernel's display API (Deno's runtime/js/40_jupyter.js surface). */
export const jupyter = {
  $display,
  /** Shows `obj` (formatted as the cell's value would be), or with `raw`, the mime bundle `obj` itself. */
  async display(obj: unknown, options: { raw?: boolean; update?: boolean; display_id?: string } = {}): Promise<void> {
    const bundle = options.raw ? (obj as MimeBundle) : (await formatOutput(obj)).data;
    show(bundle, { raw: true, display_id: options.display_id, update: options.update });
  },
  /** The mime bundle a value is shown with. */
  async format(obj: unknown): Promise<MimeBundle> {
    return (await formatOutput(obj)).data;
  },
  html: tagged('text/html'),
  md: tagged('text/markdown'),
  svg: tagged('image/svg+xml'),
  image(file: string | Uint8Array): Displayable {
    const bytes = typeof file === 'string' ? readFileSync(file) : file;
    const mime = imageMime(bytes);
    return { [$display]: () => ({ [mime]: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }) };
  },
};

// Deno's common API this kernel has no equivalent for: a clear error when called, not "is not a function".
export const open = notSupported('open');
export const openSync = notSupported('openSync');
export const readDir = notSupported('readDir');
export const stat = notSupported('stat');
export const mkdir = notSupported('mkdir');
export const remove = notSupported('remove');
export const rename = notSupported('rename');
export const serve = notSupported('serve');
export const listen = notSupported('listen');
export const connect = notSupported('connect');
export const exit = notSupported('exit');
export const Command = notSupported('Command');
export const run = notSupported('run');
export const permissions = { query: notSupported('permissions.query'), request: notSupported('permissions.request') };
