import ts = require('typescript');
import { helperAccess, wrapCell } from './cell-wrapper';
import { emitPlainCell, type PlainRewrite, plainCellSourceMap } from './plain-emit';
import { type RewriteOptions, rewriteStatements } from './statement-rewrite';

/**
 * Compiles a cell into the script the runner runs in the notebook's global scope: its top-level statements
 * rewritten so that its names become globals (statement-rewrite.ts), inside the wrapper (cell-wrapper.ts), and its
 * dynamic `import()` calls made `__tsf.import()` (the cells' loader, cell-modules.ts). A checked cell is emitted
 * from the program it was checked in, printed directly when it has no TypeScript syntax (plain-emit.ts); a user
 * expression, which nothing checked, is transpiled on its own.
 */

export interface TransformOptions extends RewriteOptions {
  /** The cell's name in its script's source map and tracebacks (`Cell In[N].ts`). */
  fileName: string;
}

export interface TransformedCell {
  js: string;
  /** The source map's JSON, or how to make it when a traceback first needs it (a plain cell's, plain-emit.ts). */
  sourceMap: string | (() => string);
  /** The top-level names the cell assigns as globals. */
  globals: string[];
}

/** Emit options shared by both paths; the checking program uses the same ones (compiler-options.ts). */
export const EMIT_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  jsx: ts.JsxEmit.React,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  inlineSources: false,
  esModuleInterop: true,
  useDefineForClassFields: true,
} satisfies ts.CompilerOptions;

/** A cell nothing has checked (user expressions): transpiled on its own. */
export function transformCell(code: string, options: TransformOptions): TransformedCell {
  const globals: string[] = [];
  const out = ts.transpileModule(code, {
    fileName: options.fileName,
    reportDiagnostics: false,
    compilerOptions: EMIT_OPTIONS,
    transformers: { before: [(context) => (file) => globalize(file, context, options, globals)] },
  });
  return finish(out.outputText, out.sourceMapText ?? '', globals);
}

/**
 * A cell just type-checked in `program`, whose file is the cell followed by its export line (checked-text.ts; it is
 * dropped): emitted from that program, whose checker is already built. transpileModule would build a program and
 * an emit checker of its own (measured ~2 ms of a cell's ~10).
 */
export function emitCheckedCell(program: ts.Program, file: ts.SourceFile, options: TransformOptions): TransformedCell {
  const globals: string[] = [];
  const rewrite = plainRewrite(options, globals);
  // Most cells need none of TypeScript's own transforms: printed directly, at a fraction of program.emit's cost.
  const compilerOptions = program.getCompilerOptions();
  const plain = emitPlainCell(file, rewrite, compilerOptions);
  if (plain !== undefined) {
    // Kept for the map: the checked text and the options, not the program or its syntax tree.
    const { fileName, text } = file;
    const sourceMap = () => plainCellSourceMap(fileName, text, cellRewrite(options, []), compilerOptions)?.sourceMap ?? '{}';
    // Nothing for finish to drop: the printer writes no sourceMappingURL, and only TypeScript's module transform the
    // closing `export {};` (a template literal's line that looks like either is the cell's own text).
    return { js: plain, sourceMap, globals };
  }
  let js: string | undefined;
  let sourceMap = '';
  const result = program.emit(
    file,
    (name, text) => {
      if (name.endsWith('.map')) sourceMap = text;
      else js = text;
    },
    undefined,
    false,
    { before: [rewrite.transformer] },
  );
  if (result.emitSkipped || js === undefined) throw new Error(`cannot emit ${options.fileName}`);
  return finish(js, sourceMap, globals);
}

/** The rewrite of a checked cell into a script (statement-rewrite.ts); the names it makes globals go to `globals`. */
export function cellRewrite(options: TransformOptions, globals: string[]): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (file) => globalize(file, context, options, globals);
}

/** cellRewrite, and the same outside a transformation (plain-emit.ts), which declines dynamic imports (they need one). */
export function plainRewrite(options: TransformOptions, globals: string[]): PlainRewrite {
  return {
    transformer: cellRewrite(options, globals),
    statements: (file) => (DYNAMIC_IMPORT.test(file.text) ? undefined : rewriteStatements(file, ts.factory, options, globals)),
  };
}

/**
 * What TypeScript writes after the cell's own statements: `export {};` for a cell with imports (an ES module to it,
 * which a script cannot have), then the map's URL. Only at the very end: a template literal may hold such lines.
 */
const EMIT_TRAILER = /(?:^|\n)(?:export \{\};\s*)?(?:\/\/# sourceMappingURL=[^\n]*\s*)?$/;

function finish(outputText: string, sourceMap: TransformedCell['sourceMap'], globals: string[]): TransformedCell {
  return { js: outputText.replace(EMIT_TRAILER, '\n'), sourceMap, globals };
}

/** The whole rewrite, as one transformation: the dynamic imports, then the statements, in the wrapper. */
function globalize(file: ts.SourceFile, context: ts.TransformationContext, options: TransformOptions, globals: string[]): ts.SourceFile {
  if (DYNAMIC_IMPORT.test(file.text)) file = ts.visitEachChild(file, dynamicImports(context), context);
  return wrapCell(context.factory, file, rewriteStatements(file, context.factory, options, globals));
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** `import(x)` anywhere in the cell (functions too) -> `__tsf.import(x)`: the cells' loader, from the notebook's folder. */
function dynamicImports(context: ts.TransformationContext): ts.Visitor {
  const f = context.factory;
  const visit: ts.Visitor = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const callee = helperAccess(f, 'import');
      return ts.setTextRange(f.createCallExpression(callee, undefined, ts.visitNodes(node.arguments, visit, ts.isExpression).slice(0, 1)), node);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return visit;
}
