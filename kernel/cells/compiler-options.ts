import * as fs from 'node:fs';
import * as path from 'node:path';
import ts = require('typescript');
import { PACKAGE_ROOT } from '../install/package-root';
import { EMIT_OPTIONS } from './transform';

/** The @types folder holding @types/node as Node resolves it from this package: an installed tsfutures finds it
 *  hoisted into the project's node_modules, a checkout in its own. */
function nodeTypesRoot(): string {
  try {
    return path.dirname(path.dirname(require.resolve('@types/node/package.json', { paths: [PACKAGE_ROOT] })));
  } catch {
    return path.join(PACKAGE_ROOT, 'node_modules', '@types');
  }
}

/**
 * The options cells are checked (and emitted) with: the defaults below, or what a `tsconfig.json` beside the
 * notebook says about checking.
 *
 * Defaults: `strict`, less the three checks that reject everyday notebook code which tslab (no strict flag at
 * all) accepts and Deno's kernel (which does not type-check cells) runs:
 * - noImplicitAny off: untyped parameters (`(x) => x * 2`) and packages without types (`any`);
 * - strictNullChecks off: `const result = []` is `any[]` (with it on and implicit any off, `never[]`: push fails),
 *   and `obj?.x?.z` checks on a `{ x: null }` literal (with it on, `x` is `null` and `.z` is an error);
 * - useUnknownInCatchVariables off: `catch (e) { e.message }`.
 * The rest of strict stays (strictFunctionTypes, strictBindCallApply, noImplicitThis, alwaysStrict): they rarely
 * reject notebook code and catch real mistakes. JSX: `React.createElement` (tsc's, tslab's and Deno's default).
 */
export const CELL_DEFAULTS: ts.CompilerOptions = {
  // The cells that pass are emitted from this program too (transform.ts emitCheckedCell); nothing is written.
  ...EMIT_OPTIONS,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Node 20 has ES2023 plus Symbol.dispose/asyncDispose; no DOM: one merged file of those lib files as the default
  // library, and `/// <reference lib>`s into it resolve to it (lib.ts says why). @types/node gives console, process,
  // require, timers (once a cell needs it: until then node-lite.ts declares the common globals).
  libReplacement: true,
  types: ['node'],
  typeRoots: [nodeTypesRoot()],
  strict: true,
  noImplicitAny: false,
  strictNullChecks: false,
  useUnknownInCatchVariables: false,
  // A package that declares a UMD global (`export as namespace moment`), imported in one cell, is that import in
  // the next: without this, its name there means the UMD global, which a module may not use (TS2686).
  allowUmdGlobalAccess: true,
  skipLibCheck: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
};

/** Options of `strict`'s family: a tsconfig.json that sets `strict` gets all of them from it, none from ours. */
const STRICT_FAMILY = ['noImplicitAny', 'strictNullChecks', 'useUnknownInCatchVariables', 'strictFunctionTypes', 'strictBindCallApply',
  'strictPropertyInitialization', 'strictBuiltinIteratorReturn', 'noImplicitThis', 'alwaysStrict'];

/**
 * What a notebook's tsconfig.json may change: how strictly cells are checked, JSX and decorators. Not where
 * modules resolve from, the lib or the target (the kernel's Node decides those), nor file lists.
 */
const FROM_TSCONFIG = new Set([
  'strict', ...STRICT_FAMILY, 'exactOptionalPropertyTypes', 'noUncheckedIndexedAccess', 'noImplicitReturns', 'noImplicitOverride',
  'noFallthroughCasesInSwitch', 'noPropertyAccessFromIndexSignature', 'noUnusedLocals', 'noUnusedParameters', 'allowUnreachableCode',
  'allowUnusedLabels', 'allowUmdGlobalAccess', 'checkJs', 'jsx', 'jsxFactory', 'jsxFragmentFactory', 'experimentalDecorators', 'emitDecoratorMetadata',
]);

export const TSCONFIG_NAME = 'tsconfig.json';

/** The cells' compiler options for a notebook in `cwd` (the defaults, overridden by a tsconfig.json there). */
export function cellCompilerOptions(cwd: string): ts.CompilerOptions {
  const file = path.join(cwd, TSCONFIG_NAME);
  if (!fs.existsSync(file)) return CELL_DEFAULTS;
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  // parseJsonConfigFileContent follows `extends`; it would also list the folder's files, which cells do not need.
  const host: ts.ParseConfigHost = { ...ts.sys, readDirectory: () => [] };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, cwd, undefined, file);
  const chosen = Object.entries(parsed.options).filter(([name]) => FROM_TSCONFIG.has(name));
  const options: ts.CompilerOptions = { ...CELL_DEFAULTS };
  if (chosen.some(([name]) => name === 'strict')) for (const name of STRICT_FAMILY) delete options[name];
  return Object.assign(options, Object.fromEntries(chosen));
}
