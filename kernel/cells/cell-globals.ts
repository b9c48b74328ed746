import ts = require('typescript');
import type { CellModules } from './cell-modules';
import type { GlobalDeclarations } from './declarations';
import { installedNames, NATIVE_GLOBALS } from './global-shadows';
import type { CellProject } from './project';
import { REALM_GLOBAL } from './runner';
import { provideDeno, runtimeModule } from './runtime-location';

/**
 * What cells find in scope before their first line, set up once per engine: the runtime's exports, the host's
 * globals (display, input...) and a `require` of the notebook's folder as the realm's globals, each declared for the
 * type checker; shipping told where cells define names; and Deno's namespace for the cells that mention it.
 */

export interface CellGlobalsSetup {
  /** The notebook's folder: the cells' `require.resolve` resolves from here. */
  cwd: string;
  /** The runtime's exports (runtime-location.ts loadRuntime). */
  runtime: Record<string, unknown>;
  /** The host's extra globals (EngineOptions.globals). */
  globals: Record<string, unknown> | undefined;
  modules: CellModules;
  /** The cells' bindings of native globals' names (CellHelper.shadows, global-shadows.ts). */
  shadows: Record<string, unknown>;
  declarations: GlobalDeclarations;
  project: CellProject;
}

/** Installs and declares the cells' globals (see above); returns whether cells get the kernel's `Deno`. */
export function installCellGlobals(setup: CellGlobalsSetup): boolean {
  const { declarations, globals, shadows } = setup;
  installGlobals(setup);
  resolveShippedNames(shadows);
  declareRuntime(setup.project, declarations);
  // Deno's kernel's namespace, for the cells that mention it: a wrapper parameter (helper.shadows), not a global.
  const denoBound = provideDeno(shadows, (d) => declarations.declareWhenMentioned('Deno', d));
  for (const [name, value] of Object.entries(globals ?? {})) {
    declarations.set(name, `declare const ${name}: ${typeof value === 'function' ? '(...args: any[]) => any' : 'any'};`);
  }
  return denoBound;
}

/** The realm's globals: `require`, the runtime's exports but those named as natives, then the host's globals. */
function installGlobals({ cwd, runtime, globals, modules }: CellGlobalsSetup): void {
  const cellRequire = Object.assign((specifier: string) => modules.require(specifier), {
    resolve: (specifier: string) => require.resolve(specifier, { paths: [cwd] }),
    cache: require.cache,
  });
  const installed: Record<string, unknown> = { require: cellRequire };
  for (const [name, value] of Object.entries(runtime)) if (!NATIVE_GLOBALS.has(name)) installed[name] = value;
  Object.assign(installed, globals);
  Object.assign(REALM_GLOBAL, installed);
  for (const name of Object.keys(installed)) installedNames.add(name);
}

/**
 * Shipping resolves a cell function's free names where cells define them: the kernel's global (under jest, not the
 * test file's own global, which shipping would see by default), or the cells' binding of a native global's name.
 */
function resolveShippedNames(shadows: Record<string, unknown>): void {
  runtimeModule<typeof import('../../runtime/futures/shipping')>('futures/shipping')?.setGlobalResolver((name) =>
    NATIVE_GLOBALS.has(name) && name in shadows ? { found: true, value: shadows[name], rebound: true }
      : name in REALM_GLOBAL ? { found: true, value: REALM_GLOBAL[name] } : { found: false });
}

/** Global declarations for everything the runtime exports, read from its types through a scratch import. */
function declareRuntime(project: CellProject, declarations: GlobalDeclarations): void {
  const probe = 'import * as __tsf_runtime from "tsfutures";\nexport {};';
  project.setFile(project.scratchFile, probe);
  const program = project.program();
  const file = program.getSourceFile(project.scratchFile);
  const importDecl = file?.statements[0];
  if (!importDecl || !ts.isImportDeclaration(importDecl)) return;
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(importDecl.moduleSpecifier);
  if (moduleSymbol) declarations.addModuleExports(checker, moduleSymbol, 'tsfutures', { skip: NATIVE_GLOBALS });
}
