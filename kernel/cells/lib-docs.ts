import ts = require('typescript');
import { LIB_FILE } from './lib';

/**
 * Doc comments of the merged ES lib, read when inspect asks for them.
 *
 * The program parses the lib without its JSDoc (documents.ts isLeanFile): type-checking never reads it, and the
 * JSDoc nodes of 0.5 MB of lib cost every kernel ~1.8 MiB of heap plus ~1.1 MB of start-up snapshot, which node keeps
 * for the process's life and deserialises before the kernel can bind its sockets (measured: blob 18.3 -> 17.2 MB,
 * RSS after 400 cells 150-153 -> 143-149 MiB, start-up ~385 -> ~255 ms when that lets the client's first zeromq
 * reconnect, 100 ms after its first try, find the sockets bound). Quick info on a lib symbol therefore has no
 * documentation; this finds the declaration's `/** ... *\/` comment in the lib text and parses that comment alone,
 * giving what quick info would have given: the text, and each tag as `@name text` (a parameter's name first).
 */
export interface LibDocs {
  documentation: ts.SymbolDisplayPart[];
  tags: ts.JSDocTagInfo[];
}

/** The docs of the first of `symbol`'s declarations in the merged lib that has a doc comment. */
export function libDocumentation(symbol: ts.Symbol | undefined): LibDocs | undefined {
  for (const declaration of symbol?.declarations ?? []) {
    const lib = declaration.getSourceFile();
    if (lib.fileName !== LIB_FILE) continue;
    const comment = docCommentOf(lib, declaration);
    if (comment) return parseDocComment(comment);
  }
  return undefined;
}

/** The doc comment right before `declaration` (a variable's is its statement's). */
function docCommentOf(lib: ts.SourceFile, declaration: ts.Declaration): string | undefined {
  const commented = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const doc = (ts.getLeadingCommentRanges(lib.text, commented.pos) ?? []).filter((r) => lib.text.startsWith('/**', r.pos)).at(-1);
  return doc && lib.text.slice(doc.pos, doc.end);
}

function parseDocComment(comment: string): LibDocs {
  const probe = ts.createSourceFile('__tsfutures_doc.ts', `${comment}\ndeclare var __doc: unknown;`, ts.ScriptTarget.Latest, true);
  // The parser's JSDoc nodes of a statement (`jsDoc`, not in the public typings).
  const jsDoc = (probe.statements[0] as { jsDoc?: ts.JSDoc[] }).jsDoc?.at(-1);
  const text = (c: string | ts.NodeArray<ts.JSDocComment> | undefined) => ts.getTextOfJSDocComment(c) ?? '';
  const tags = (jsDoc?.tags ?? []).map((tag): ts.JSDocTagInfo => {
    const body = ts.isJSDocParameterTag(tag) ? `${tag.name.getText(probe)} ${text(tag.comment)}`.trim() : text(tag.comment);
    return { name: tag.tagName.text, text: body ? [{ text: body, kind: 'text' }] : undefined };
  });
  const documentation = text(jsDoc?.comment);
  return { documentation: documentation ? [{ text: documentation, kind: 'text' }] : [], tags };
}
