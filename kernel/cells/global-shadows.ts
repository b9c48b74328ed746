import ts = require('typescript');
import { mentions } from './cell-syntax';
import type { CellLanguage } from './language';
import { boundNames } from './names';
import { REALM_GLOBAL } from './runner';

/**
 * A cell's names that are also the platform's own globals (`setTimeout`, `fetch`, `crypto`, `performance`, `Blob`):
 * whether imported (`import { setTimeout } from "node:timers/promises"`) or declared (`const { setTimeout } = await
 * import(...)`, `let fetch = ...`, `function setTimeout() {}`, `class Blob {}`), they are bound for the notebook's
 * code only. The realm's global stays what it was, because the cells share their realm with the kernel and with the
 * packages it loads (ioredis' reconnect timers call the global `setTimeout` with a callback): a notebook rebinding
 * the NAME means it for its own code, as a Python notebook's `print = ...` leaves its libraries' print alone.
 *
 * Such a binding lives in `__tsf.shadows` and reaches every later cell as its wrapper's parameter (cell-wrapper.ts).
 * For the type checker, a later cell that mentions it gets a statement after its own text that binds the name in
 * its module scope, where it wins over the global: the import itself, or an import of the declaring cell's module,
 * or for a `let`/`var` a `let` of its type (so that a later cell may assign it): `declare let` in TypeScript, a
 * JSDoc `@type` in JavaScript cells (which cannot say `declare`).
 */

/**
 * The names an engine put on the realm's global (the runtime's exports, EngineOptions.globals), kept on the global:
 * a host that loads the engine again in the same realm (jest, once per test file) must not take them for natives.
 */
const INSTALLED = Symbol.for('tsfutures.cells.installedGlobals');
export const installedNames = ((REALM_GLOBAL as Record<symbol, Set<string>>)[INSTALLED] ??= new Set<string>());

/**
 * Names JavaScript/Node already define globally; a runtime export of the same name must not shadow them. Taken once
 * per realm, when the first engine module loads and before any cell ran: a host that loads the engine again in the
 * same realm (jest) would otherwise take an earlier engine's cell names (`obj`) for natives and bind them per cell.
 * Shipping's workerGlobalNames (runtime/futures/references.ts) is taken the same way from the runtime's realm: what a
 * pool worker has, a question of the runtime's, which knows nothing of the kernel's cells or installed names.
 */
const NATIVES = Symbol.for('tsfutures.cells.nativeGlobals');
export const NATIVE_GLOBALS: ReadonlySet<string> = ((REALM_GLOBAL as Record<symbol, Set<string>>)[NATIVES] ??= new Set(
  Object.getOwnPropertyNames(REALM_GLOBAL).filter((name) => !installedNames.has(name)),
));

interface Shadow {
  /** The statement that binds the name for the checker in a later cell's module scope. */
  statement: string;
  /** A `let`/`var`: a later cell may assign it, and the cell then keeps the new value for the ones after it. */
  mutable: boolean;
}

/** What one cell does with the shadowing names: from GlobalShadows.forCell. */
export interface CellShadows {
  /** This cell's own imports and declarations of native global names. */
  own: string[];
  /** The names the cell's wrapper binds as parameters: its own and the earlier cells' it does not redeclare. */
  shadowed: Set<string>;
  /** The names whose value the cell keeps in `__tsf.shadows` when it ends (it may have assigned them). */
  writeBack: Set<string>;
}

export class GlobalShadows {
  private readonly bindings = new Map<string, Shadow>();

  constructor(private readonly language: CellLanguage = 'typescript') {}

  /** A cell's shadowing names; `names` are its top-level names, `imports` its import bindings (names.ts). */
  forCell(file: ts.SourceFile, code: string, names: readonly string[], imports: ReadonlyMap<string, string>): CellShadows {
    const declared = valueDeclarations(file);
    const own = names.filter((name) => NATIVE_GLOBALS.has(name) && (imports.has(name) || declared.has(name)));
    const shadowed = new Set(own);
    const writeBack = new Set(own.filter((name) => !imports.has(name)));
    for (const [name, shadow] of this.bindings) {
      if (names.includes(name)) continue;
      shadowed.add(name);
      if (shadow.mutable && mentions(code, name)) writeBack.add(name);
    }
    return { own, shadowed, writeBack };
  }

  /**
   * After cell n passed its check: its shadowing names replace earlier ones, and any other name it declares ends an
   * earlier shadowing one. `moduleSpecifier`: how a later cell imports cell n's module (its declared names' types).
   */
  commit(file: ts.SourceFile, names: readonly string[], imports: ReadonlyMap<string, string>, moduleSpecifier: string): void {
    const declared = valueDeclarations(file);
    for (const name of names) {
      this.bindings.delete(name);
      if (!NATIVE_GLOBALS.has(name)) continue;
      const statement = imports.get(name);
      const mutable = declared.get(name);
      if (statement !== undefined) this.bindings.set(name, { statement, mutable: false });
      else if (mutable === true) this.bindings.set(name, { statement: this.assignable(name, `typeof import(${JSON.stringify(moduleSpecifier)}).${name}`), mutable });
      else if (mutable === false) this.bindings.set(name, { statement: `import { ${name} } from ${JSON.stringify(moduleSpecifier)};`, mutable });
    }
  }

  private assignable(name: string, type: string): string {
    return this.language === 'javascript' ? `/** @type {${type}} */ let ${name};` : `declare let ${name}: ${type};`;
  }

  /** Whether cell n's module must join the project: a later cell's statement imports its declarations. */
  declaresAny(own: readonly string[], imports: ReadonlyMap<string, string>): boolean {
    return own.some((name) => !imports.has(name));
  }

  /** Every name bound so far: what a user expression (no check, no declarations of its own) receives. */
  names(): Set<string> {
    return new Set(this.bindings.keys());
  }

  /** The statements binding the earlier shadowing names that `code` mentions and does not itself declare. */
  suffix(code: string, declared: readonly string[]): string {
    let text = '';
    for (const [name, { statement }] of this.bindings) if (!declared.includes(name) && mentions(code, name)) text += ` ${statement}`;
    return text;
  }
}

/**
 * A cell's top-level declarations with a value (not imports, types or `using`): name -> whether it may be assigned
 * again (`let`, `var`) or not (`const`, function, class, enum).
 */
function valueDeclarations(file: ts.SourceFile): Map<string, boolean> {
  const declared = new Map<string, boolean>();
  for (const stmt of file.statements) {
    if (ts.isVariableStatement(stmt)) {
      const flags = stmt.declarationList.flags;
      if (flags & ts.NodeFlags.Using || hasDeclare(stmt)) continue;
      const mutable = (flags & ts.NodeFlags.Const) === 0;
      for (const d of stmt.declarationList.declarations) for (const n of boundNames(d.name)) declared.set(n, mutable);
    } else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name && !hasDeclare(stmt)) {
      // A function's overload signatures have no body; its implementation does.
      if (!ts.isFunctionDeclaration(stmt) || stmt.body) declared.set(stmt.name.text, false);
    }
  }
  return declared;
}

function hasDeclare(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false);
}
