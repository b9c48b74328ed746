import ts = require('typescript');
import { boxedValue, type RewrittenCell, wrappedStatements, wrapperText } from './cell-wrapper';

/**
 * Emits a cell that needs none of TypeScript's own transforms -- no types, JSX, decorators, class fields (which
 * TypeScript marks as its own syntax) or ESNext syntax such as `using`: `const x = 5`, `total += 5`,
 * `console.log(x)`, `await f()`, plain functions -- by running the engine's rewrite
 * (transform.ts) and printing the result as program.emit would. Only the cell's rewritten statements are printed:
 * the script around them (cell-wrapper.ts) is the same few nodes for every cell, and its text is written directly,
 * as the printer would write it. Its source map is made only when a traceback needs
 * it (plainCellSourceMap), by printing the cell again with one: most cells never throw, and the map was a third of
 * such a cell's printing (docs/performance.md, "The cell engine").
 *
 * Why: program.emit's own machinery (the emit resolver and host, output paths, the transformer chain, a printer per
 * call) is most of an emit, ~0.3-0.6 ms a cell, while the rewrite and the printing are ~0.05 ms (figures:
 * docs/performance.md, "The cell engine"). For such a cell TypeScript's transforms change nothing at an ES2022
 * target: the output is the same text and the same mappings (test/cells/plain-emit.test.ts compares them).
 *
 * The source map writer and `Printer.writeFile` are TypeScript internals (present at run time, not in its typings):
 * without them this returns undefined and the cell goes through program.emit.
 */
interface SourceMapGenerator {
  toString(): string;
}
interface TextWriter {
  getText(): string;
  clear(): void;
  write(text: string): void;
  writeLine(): void;
  increaseIndent(): void;
  decreaseIndent(): void;
}

/** Every comment starts so; a cell without them has none for the printer to place by its nodes' positions. */
const MAY_HAVE_COMMENTS = /\/[/*]/;
interface Internals {
  /** A node's syntax kinds below it, as bits: what the parser saw that some transform may need to change. */
  TransformFlags: Record<'ContainsTypeScript' | 'ContainsJsx' | 'ContainsESNext' | 'ContainsDecorators', number>;
  createSourceMapGenerator(host: object, file: string, sourceRoot: string, sourcesDirectoryPath: string, options: ts.CompilerOptions): SourceMapGenerator;
  createTextWriter(newLine: string): TextWriter;
  /** What ts.transform calls after copying the options to turn string enum values into numbers (see transform). */
  transformNodes(
    resolver: undefined, host: undefined, factory: ts.NodeFactory, options: ts.CompilerOptions, nodes: readonly ts.SourceFile[],
    transformers: readonly ts.TransformerFactory<ts.SourceFile>[], allowDtsFiles: boolean,
  ): ts.TransformationResult<ts.SourceFile>;
}
type WritingPrinter = ts.Printer & {
  writeFile(file: ts.SourceFile, writer: TextWriter, sourceMap: SourceMapGenerator | undefined): void;
  writeList(format: ts.ListFormat, nodes: ts.NodeArray<ts.Node>, file: ts.SourceFile, writer: TextWriter): void;
  writeNode(hint: ts.EmitHint, node: ts.Node, file: ts.SourceFile, writer: TextWriter): void;
};

const internals = ts as unknown as Partial<Internals>;
const flags = internals.TransformFlags;
const NEEDS_TYPESCRIPT_EMIT = flags ? flags.ContainsTypeScript | flags.ContainsJsx | flags.ContainsESNext | flags.ContainsDecorators : 0;
const available = NEEDS_TYPESCRIPT_EMIT !== 0 && typeof internals.createSourceMapGenerator === 'function' && typeof internals.createTextWriter === 'function';

/** Whether `file` is a cell TypeScript's transforms leave as it is (see the top of the file). */
export function isPlainCell(file: ts.SourceFile): boolean {
  return available && ((file as ts.SourceFile & { transformFlags: number }).transformFlags & NEEDS_TYPESCRIPT_EMIT) === 0;
}

/** The engine's rewrite of a cell (transform.ts plainRewrite). */
export interface PlainRewrite {
  /** As a transformer: the cell's file rewritten into the whole script (the wrapper's nodes included). */
  transformer: ts.TransformerFactory<ts.SourceFile>;
  /** The cell's statements rewritten, outside any transformation; undefined when the rewrite needs one. */
  statements(file: ts.SourceFile): RewrittenCell | undefined;
}

/**
 * The JavaScript program.emit would write for a plain cell (isPlainCell) with `rewrite` as its only transformer.
 * Undefined when the cell is not plain. No source map is made: only a traceback through the cell reads one, and
 * plainCellSourceMap makes it then, from the cell's text.
 */
export function emitPlainCell(file: ts.SourceFile, rewrite: PlainRewrite, options: ts.CompilerOptions): string | undefined {
  if (!isPlainCell(file)) return undefined;
  const printing = sharedPrinter(options);
  if (!printing) return undefined;
  // A shebang is printed first of all, before the wrapper (as a comment), by the whole file's print.
  const cell = file.text.startsWith('#!') ? undefined : rewrite.statements(file);
  try {
    if (cell) {
      // What the wrapper's arrow body prints for them: a multi-line list, with no comment or other state of the
      // printer's carried in from the wrapper's nodes, which have no position in the cell's text.
      const { head, tail, depth } = wrapperText(cell);
      const { printer, writer } = printing;
      for (let i = 0; i < depth; i++) writer.increaseIndent();
      // The value's `return [...];` is fixed text too, around the value as the array prints it (one level deeper),
      // when no comment can be placed by the statement's position.
      const value = cell.value && !MAY_HAVE_COMMENTS.test(file.text) ? cell.value : undefined;
      printer.writeList(ts.ListFormat.MultiLineFunctionBodyStatements, ts.factory.createNodeArray(wrappedStatements(ts.factory, cell, !value)), file, writer);
      if (value) {
        writer.write('return [');
        writer.increaseIndent();
        printer.writeNode(ts.EmitHint.Expression, boxedValue(ts.factory, value).elements[0], file, writer);
        writer.decreaseIndent();
        writer.write('];');
        writer.writeLine();
      }
      return head + writer.getText() + tail;
    }
    const result = transform(file, rewrite.transformer, options);
    try {
      printing.printer.writeFile(result.transformed[0], printing.writer, undefined);
      return printing.writer.getText();
    } finally {
      result.dispose();
    }
  } catch (error) {
    // A print that threw did not reset the printer's state: the next cell gets a new printer.
    shared = undefined;
    throw error;
  } finally {
    printing.writer.clear();
  }
}

let shared: { target: unknown; module: unknown; printer: WritingPrinter; writer: TextWriter } | undefined;

/**
 * One printer and writer for every cell printed without a map: a printer resets its state after each file. It has
 * no handlers, as the rewrite enables no substitution or emit notification (transform.ts), so the transformation's
 * would change nothing (test/cells/plain-emit.test.ts compares with plainCellSourceMap's, which has them).
 */
function sharedPrinter(options: ts.CompilerOptions): { printer: WritingPrinter; writer: TextWriter } | undefined {
  if (shared && shared.target === options.target && shared.module === options.module) return shared;
  const printer = ts.createPrinter({ target: options.target, module: options.module } as ts.PrinterOptions) as WritingPrinter;
  if (typeof printer.writeFile !== 'function' || typeof printer.writeList !== 'function' || typeof printer.writeNode !== 'function') return undefined;
  shared = { target: options.target, module: options.module, printer, writer: (internals as Internals).createTextWriter('\n') };
  return shared;
}

/**
 * ts.transform without its copy of the options (fixupCompilerOptions, which turns string enum values into numbers:
 * a program's options hold numbers already).
 */
function transform(file: ts.SourceFile, rewrite: ts.TransformerFactory<ts.SourceFile>, options: ts.CompilerOptions): ts.TransformationResult<ts.SourceFile> {
  const { transformNodes } = internals;
  if (typeof transformNodes !== 'function') return ts.transform(file, [rewrite], options);
  return transformNodes(undefined, undefined, ts.factory, options, [file], [rewrite], true);
}

/**
 * The source map program.emit would write for the plain cell whose checked file was `fileName` with `text`, and the
 * JavaScript that goes with it (the same emitPlainCell printed): the text is parsed again and printed again with
 * the same rewrite, which gives the same syntax tree and so the same output. `rewrite` must be a fresh one.
 */
export function plainCellSourceMap(fileName: string, text: string, rewrite: ts.TransformerFactory<ts.SourceFile>, options: ts.CompilerOptions): { js: string; sourceMap: string } | undefined {
  const file = ts.createSourceFile(fileName, text, options.target ?? ts.ScriptTarget.ES2022, true);
  if (!isPlainCell(file)) return undefined;
  return printWithMap(file, rewrite, options);
}

function printWithMap(file: ts.SourceFile, rewrite: ts.TransformerFactory<ts.SourceFile>, options: ts.CompilerOptions): { js: string; sourceMap: string } | undefined {
  const result = transform(file, rewrite, options);
  try {
    // The options program.emit's printer takes from the compiler options (only some are in the public typings).
    const printerOptions = { target: options.target, module: options.module, sourceMap: true } as ts.PrinterOptions;
    const printer = ts.createPrinter(
      printerOptions,
      { onEmitNode: result.emitNodeWithNotification, isEmitNotificationEnabled: result.isEmitNotificationEnabled, substituteNode: result.substituteNode },
    ) as WritingPrinter;
    if (typeof printer.writeFile !== 'function') return undefined;
    const { createSourceMapGenerator, createTextWriter } = internals as Internals;
    // As program.emit names them: the output beside the cell's file, its map's source relative to that folder.
    const slash = file.fileName.lastIndexOf('/');
    const directory = file.fileName.slice(0, slash);
    const host = { getCurrentDirectory: () => directory, getCanonicalFileName: (name: string) => name };
    const sourceMap = createSourceMapGenerator(host, file.fileName.slice(slash + 1).replace(/\.[cm]?[jt]sx?$/, '.js'), '', directory, options);
    const writer = createTextWriter('\n');
    printer.writeFile(result.transformed[0], writer, sourceMap);
    return { js: writer.getText(), sourceMap: sourceMap.toString() };
  } finally {
    result.dispose();
  }
}
