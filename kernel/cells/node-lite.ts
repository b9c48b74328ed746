import { builtinModules } from 'node:module';
import ts = require('typescript');

/**
 * Node's globals as most cells use them, declared in ~150 lines instead of @types/node's 2.4 MB.
 *
 * Parsing and binding @types/node was half of the engine's start-up and half of a fresh kernel's memory (measured:
 * create 950 -> 490 ms, RSS 254 -> 127 MiB without it), while notebook cells mostly touch console, timers and
 * process. So the program starts with this script (a virtual file, project.ts) and switches to the full @types/node
 * -- dropping this script, so the two never meet -- the first time a cell needs more: it imports a Node builtin,
 * names `NodeJS.`, or fails in a way the full types might not (engine.ts `mayNeedNodeTypes`).
 * Signatures are deliberately loose (rest `any` arguments) so a cell accepted by the full types is accepted here;
 * handles (timers, Buffer) are opaque. The `node:util` module is declared because the runtime's declarations use
 * `inspect.custom`; a cell importing it switches to the full types before being checked.
 */
export const NODE_LITE_TYPES = `
interface __tsfTimeout { ref(): this; unref(): this; hasRef(): boolean; refresh(): this; [Symbol.toPrimitive](): number; }
interface __tsfImmediate { ref(): this; unref(): this; hasRef(): boolean; }
declare function setTimeout<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): __tsfTimeout;
declare function setInterval<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): __tsfTimeout;
declare function setImmediate<A extends any[]>(callback: (...args: A) => void, ...args: A): __tsfImmediate;
declare function clearTimeout(handle: __tsfTimeout | string | number | undefined | null): void;
declare function clearInterval(handle: __tsfTimeout | string | number | undefined | null): void;
declare function clearImmediate(handle: __tsfImmediate | undefined | null): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T = any>(value: T, options?: { transfer?: any[] }): T;
declare function atob(data: string): string;
declare function btoa(data: string): string;

interface Console {
  log(...data: any[]): void; error(...data: any[]): void; warn(...data: any[]): void; info(...data: any[]): void;
  debug(...data: any[]): void; trace(...data: any[]): void; dir(item?: any, options?: any): void;
  table(tabularData?: any, properties?: readonly string[]): void; assert(condition?: boolean, ...data: any[]): void;
  time(label?: string): void; timeEnd(label?: string): void; timeLog(label?: string, ...data: any[]): void;
  count(label?: string): void; countReset(label?: string): void; group(...label: any[]): void; groupEnd(): void;
  clear(): void;
}
declare var console: Console;

interface __tsfWritable { write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean; isTTY?: boolean; columns?: number; }
interface __tsfHrtime { (time?: [number, number]): [number, number]; bigint(): bigint; }
interface __tsfMemoryUsage { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; }
interface Process {
  argv: string[]; argv0: string; execArgv: string[]; execPath: string; env: Record<string, string | undefined>;
  pid: number; ppid: number; platform: string; arch: string; version: string; versions: Record<string, string | undefined>;
  exitCode?: number | string | undefined; title: string;
  cwd(): string; chdir(directory: string): void; exit(code?: number | string | null): never; uptime(): number;
  hrtime: __tsfHrtime; memoryUsage(): __tsfMemoryUsage; cpuUsage(previous?: { user: number; system: number }): { user: number; system: number };
  nextTick(callback: (...args: any[]) => void, ...args: any[]): void; emitWarning(warning: string | Error, ...args: any[]): void;
  stdout: __tsfWritable; stderr: __tsfWritable;
  on(event: string | symbol, listener: (...args: any[]) => void): this; once(event: string | symbol, listener: (...args: any[]) => void): this;
  off(event: string | symbol, listener: (...args: any[]) => void): this;
}
declare var process: Process;

interface Buffer extends Uint8Array {
  toString(encoding?: string, start?: number, end?: number): string; toJSON(): { type: 'Buffer'; data: number[] };
  equals(other: Uint8Array): boolean; write(text: string, offset?: number, encoding?: string): number;
  subarray(start?: number, end?: number): Buffer; slice(start?: number, end?: number): Buffer;
}
interface BufferConstructor {
  from(data: string, encoding?: string): Buffer; from(data: ArrayLike<number> | ArrayBufferLike | Uint8Array): Buffer;
  alloc(size: number, fill?: string | number | Uint8Array, encoding?: string): Buffer; allocUnsafe(size: number): Buffer;
  byteLength(value: string | ArrayBufferView | ArrayBufferLike, encoding?: string): number; isBuffer(value: any): value is Buffer;
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
}
declare var Buffer: BufferConstructor;

interface __tsfRequire { (id: string): any; resolve(id: string): string; cache: Record<string, any>; main: any; }
declare var require: __tsfRequire;
declare var module: { exports: any; id: string; filename: string; require: __tsfRequire };
declare var exports: any;
declare var __dirname: string;
declare var __filename: string;

interface URLSearchParams {
  append(name: string, value: string): void; delete(name: string): void; get(name: string): string | null; getAll(name: string): string[];
  has(name: string): boolean; set(name: string, value: string): void; sort(): void; toString(): string; readonly size: number;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void): void;
  entries(): IterableIterator<[string, string]>; keys(): IterableIterator<string>; values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare var URLSearchParams: { new (init?: string | Record<string, string> | [string, string][] | URLSearchParams): URLSearchParams };
interface URL {
  hash: string; host: string; hostname: string; href: string; readonly origin: string; password: string; pathname: string;
  port: string; protocol: string; search: string; readonly searchParams: URLSearchParams; username: string;
  toString(): string; toJSON(): string;
}
declare var URL: { new (input: string | URL, base?: string | URL): URL; canParse(input: string, base?: string): boolean };

interface TextEncoder { readonly encoding: string; encode(input?: string): Uint8Array; }
declare var TextEncoder: { new (): TextEncoder };
interface TextDecoder { readonly encoding: string; decode(input?: ArrayBufferView | ArrayBufferLike, options?: { stream?: boolean }): string; }
declare var TextDecoder: { new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

interface AbortSignal {
  readonly aborted: boolean; readonly reason: any; onabort: ((this: AbortSignal, event: any) => any) | null; throwIfAborted(): void;
  addEventListener(type: string, listener: (event: any) => void, options?: any): void;
  removeEventListener(type: string, listener: (event: any) => void, options?: any): void;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: any): AbortSignal; timeout(ms: number): AbortSignal; any(signals: AbortSignal[]): AbortSignal };
interface AbortController { readonly signal: AbortSignal; abort(reason?: any): void; }
declare var AbortController: { new (): AbortController; prototype: AbortController };

interface Performance { now(): number; readonly timeOrigin: number; mark(name: string, options?: any): any; measure(name: string, ...args: any[]): any; }
declare var performance: Performance;

interface Response {
  readonly ok: boolean; readonly status: number; readonly statusText: string; readonly url: string; readonly headers: any;
  text(): Promise<string>; json(): Promise<any>; arrayBuffer(): Promise<ArrayBuffer>;
}
declare function fetch(input: string | URL | { url: string }, init?: { method?: string; headers?: any; body?: any; signal?: AbortSignal; [key: string]: any }): Promise<Response>;

declare module 'node:util' {
  function inspect(object: any, options?: any): string;
  namespace inspect { const custom: unique symbol; }
}
`;

/** Module names that mean a Node builtin (`fs`, `node:fs`, `fs/promises`, `node:test`, ...). */
const BUILTINS = new Set(builtinModules);
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

/** Whether a cell reaches a Node builtin module (import, require, import type) or the `NodeJS` namespace. */
export function usesNodeModules(file: ts.SourceFile): boolean {
  const moduleName = (node: ts.Node): ts.Expression | undefined => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return node.moduleSpecifier;
    if (ts.isExternalModuleReference(node)) return node.expression;
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) return node.argument.literal;
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) return node.arguments[0];
    return undefined;
  };
  const visit = (node: ts.Node): boolean => {
    const name = moduleName(node);
    if (name && ts.isStringLiteralLike(name) && isNodeBuiltin(name.text)) return true;
    if (ts.isIdentifier(node) && node.text === 'NodeJS') return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(file);
}

/** "Cannot find name/namespace" (2304, 2552, 2503) and "install type definitions for node" (2580, 2591, 2592). */
const MISSING_NAME = new Set([2304, 2552, 2503, 2580, 2591, 2592]);

/**
 * Whether an error of a cell checked against the lite globals might not be one under the full @types/node: a name
 * it lacks, or an error at an expression that involves something the lite script declares (`process.stdin`, a
 * narrower signature). The caller then checks the cell again with the full types before reporting anything.
 */
export function mayNeedNodeTypes(program: ts.Program, file: ts.SourceFile, errors: readonly ts.Diagnostic[], liteFile: string): boolean {
  if (errors.some((d) => MISSING_NAME.has(d.code))) return true;
  const checker = program.getTypeChecker();
  const isLite = (symbol: ts.Symbol | undefined) =>
    symbol?.declarations?.some((d) => d.getSourceFile().fileName === liteFile) ?? false;
  const involvesLite = (node: ts.Node): boolean => {
    if (isLite(checker.getSymbolAtLocation(node))) return true;
    if (ts.isExpression(node) && isLite(checker.getTypeAtLocation(node).getSymbol())) return true;
    return false;
  };
  return errors.some((d) => {
    if (d.file !== file || d.start === undefined) return false;
    // From the innermost node at the error up to its statement: `process.stdin.on(...)` reaches `process`.
    for (let node: ts.Node | undefined = innermostAt(file, d.start); node && !ts.isSourceFile(node); node = node.parent) {
      if (ts.forEachChild(node, (c) => (ts.isIdentifier(c) || ts.isPropertyAccessExpression(c)) && involvesLite(c)) || involvesLite(node)) return true;
      if (ts.isStatement(node)) break;
    }
    return false;
  });
}

function innermostAt(file: ts.SourceFile, pos: number): ts.Node {
  let node: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.getStart(file) <= pos && pos < c.end ? c : undefined));
    if (!child) return node;
    node = child;
  }
}
