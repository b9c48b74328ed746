import ts = require('typescript');
import { setImmediate } from 'node:timers';
import { type ExportOptions, type GlobalDeclarations, moduleScopeSymbols } from './declarations';
import type { CellProject } from './project';
import { withoutBaselineCode } from './jit';

/**
 * Publishing: handing the global declarations (declarations.ts) to the project, so that later cells are checked
 * against them -- the notebook's globals, the earlier cells' names a new cell mentions, and each declaring cell's
 * own declarations once it has run.
 */

/**
 * How a cell's declarations join the global ones (declarations.ts addExports): printed unless they name the
 * notebook's virtual files, and lazily, until a later cell mentions them. warm-up.ts's throwaway cells go the same way.
 */
export function cellExportOptions(project: CellProject, skip?: ReadonlySet<string>): ExportOptions {
  return { isStable: (f) => !project.isVirtual(f), lazy: true, skip };
}

/** What publishCell needs of a cell besides its program (see there). */
export type PublishedCell = { names?: readonly string[]; text: string; skip: ReadonlySet<string> };
/** A cell waiting for publishAfterRun: a plain record (see there). */
type UnpublishedCell = { program: ts.Program; n: number; cell: PublishedCell };

export class DeclarationPublisher {
  /** A cell's declarations not yet handed to the project (publishAfterRun): done before anything checks again. */
  private unpublished: UnpublishedCell | undefined;

  constructor(private readonly project: CellProject, private readonly declarations: GlobalDeclarations) {}

  /** Hands the declarations to the project: the global scripts (unchanged chunks stay as they are) and aliases. */
  publishDeclarations(): void {
    this.project.setGlobalScripts(this.declarations.chunkTexts());
    this.project.setFile(this.project.namespacesFile, this.declarations.namespaceModuleText());
  }

  /** Earlier cells' names `text` mentions join the global scripts (declarations.ts `use`), published if any did. */
  declareMentioned(text: string, prefix?: string): void {
    if (this.declarations.use(text, prefix)) this.publishDeclarations();
  }

  /**
   * Points the global declarations at this cell's definitions; returns the names that have a runtime value.
   * `names`: the cell's names when it was checked without its export clause (index.ts loadCell), found in its module
   * scope; else its module's exports. `text`: the checked text with the clause, for the cell's copy.
   */
  publishCell(program: ts.Program, n: number, cell: PublishedCell): Set<string> {
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(this.project.checkedFile);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) return new Set();
    const symbols = cell.names ? moduleScopeSymbols(checker, file, cell.names) : checker.getExportsOfModule(moduleSymbol);
    // Declarations are read from the checked file; those that cannot be printed point at the cell's own copy,
    // which then joins the project (a cell of printable variables only adds no file: see declarations.ts).
    const { values, referencesModule } = this.declarations.addExports(checker, symbols, this.project.cellSpecifier(n), cellExportOptions(this.project, cell.skip));
    if (referencesModule) this.project.setFile(this.project.cellFileName(n), cell.text);
    this.publishDeclarations();
    return new Set(values);
  }

  /**
   * The cell checked in `program` waits, as a plain record, to be published after its run (publishAfterRun) or
   * before anything is checked again (settle).
   */
  deferCell(program: ts.Program, n: number, cell: PublishedCell): void {
    this.unpublished = { program, n, cell };
  }

  /**
   * Publishes the cell's declarations (`unpublished`) once its reply is on its way: the kernel sends the reply and
   * the idle status in the promise callbacks that follow the cell's outcome, and this runs after them
   * (setImmediate), or at once when the engine is asked anything before then (settle). Scheduled only after the
   * run: the runner's own turn of the event loop (runner.ts) would otherwise come after it, with the publishing on
   * the round trip. The program stays the project's until then.
   * What waits is a plain record, not a closure over the engine's execute: with a closure kept on the engine, each
   * cell's checker survived the young generation's collections and was promoted (docs/performance.md, "The cell
   * engine").
   */
  publishAfterRun(): void {
    if (this.unpublished) setImmediate(() => this.settle());
  }

  /** Publishes the cell that waits, if any: before anything is checked again. */
  settle(): void {
    const pending = this.unpublished;
    this.unpublished = undefined;
    if (!pending) return;
    try {
      withoutBaselineCode(() => this.publishCell(pending.program, pending.n, pending.cell));
    } catch (error) {
      // Not this request's failure any more (its reply is sent): the names stay unknown to later cells' checks.
      process.emitWarning(`tsfutures: a cell's declarations were not published: ${(error as Error)?.stack ?? String(error)}`);
    }
  }
}
