import * as fs from 'node:fs';
import * as path from 'node:path';
import ts = require('typescript');

/**
 * The ECMAScript lib the cells are checked against (ES2023 + esnext.disposable: what Node 20 has), given to the
 * program as ONE declaration file instead of the ~50 lib.*.d.ts files `lib: [...]` pulls in.
 *
 * Why: every cell is a new program and a new checker. With ~50 lib files, a program spends ~1.6 ms a cell walking
 * them (root and lib-reference processing, file bookkeeping) and the checker ~0.4 ms merging their globals (an
 * interface declared in several lib files, `Array`, `Intl`, ..., is cloned and merged into every new checker's
 * globals). In one file the binder merges those declarations once, and a new checker adopts the file's symbols
 * as they are. Measured with a bare program loop (`/tmp`-style, 300 cells, same cell text): program 2.0 -> 0.4 ms,
 * checker 1.0 -> 0.6 ms, diagnostics unchanged (~1.4 ms).
 *
 * It is the program's default library (getDefaultLibFileName, no `lib` option), so TypeScript treats it as it
 * treated each lib file (isSourceFileDefaultLibrary: error elaboration, rename, completions). The text is the lib
 * files in the order a program puts them, with their `/// <reference lib>` lines dropped; declarations and doc
 * comments are untouched (inspect shows lib docs as before).
 */
export const LIB_NAMES = ['es2023', 'esnext.disposable'];

const LIB_DIR = path.dirname(ts.getDefaultLibFilePath({}));
/** Next to the real lib files (never written), so `/// <reference lib="dom">` still finds lib.dom.d.ts beside it. */
export const LIB_FILE = path.join(LIB_DIR, 'lib.tsfutures.d.ts');

const REFERENCE_LIB = /^\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>[ \t]*\r?\n?/gm;

interface MergedLib {
  text: string;
  /** The lib files it holds, e.g. `lib.es2020.d.ts`. */
  files: ReadonlySet<string>;
}

/**
 * Where the merged lib is kept: on globalThis, not in this module, because a kernel started from the start-up
 * snapshot has two instances of this module (the snapshot builder's, whose registry parsed the text, and the
 * engine's), and each would otherwise hold its own 0.5 MB copy of the text (seen in a heap snapshot).
 */
const MERGED_LIB = Symbol.for('tsfutures.mergedLib');

/** Read and concatenated once per process, by whichever asks first (the program's file or a lib reference). */
function mergedLib(): MergedLib {
  const g = globalThis as Record<symbol, MergedLib | undefined>;
  g[MERGED_LIB] ??= concatenated(LIB_NAMES);
  return g[MERGED_LIB];
}

export function libText(): string {
  return mergedLib().text;
}

/**
 * The program's `resolveLibrary` (with `libReplacement` on): a `/// <reference lib>` to a lib file inside ours
 * (@types/node asks for `es2020`) resolves to ours, which the program already has; any other (`dom`) to its own
 * file, as without the merge.
 */
export function resolveLibrary(libFileName: string): ts.ResolvedModuleWithFailedLookupLocations {
  if (!mergedLib().files.has(libFileName)) return { resolvedModule: undefined };
  return { resolvedModule: { resolvedFileName: LIB_FILE, extension: ts.Extension.Dts, isExternalLibraryImport: false } };
}

/** TypeScript's list of lib names; a program orders its lib files by it (not public API: absent, keep ours). */
const TS_LIB_ORDER: readonly string[] = (ts as unknown as { libs?: string[] }).libs ?? [];

function concatenated(names: readonly string[]): MergedLib {
  const order: string[] = [];
  const sources = new Map<string, string>();
  const visit = (name: string): void => {
    if (sources.has(name)) return;
    const source = fs.readFileSync(path.join(LIB_DIR, `lib.${name}.d.ts`), 'utf8');
    sources.set(name, source);
    for (const [, dependency] of source.matchAll(REFERENCE_LIB)) visit(detached(dependency.toLowerCase()));
    order.push(name);
  };
  names.forEach(visit);
  // The order a program with `lib: [...]` gives these files (by TypeScript's lib list): the declarations of an
  // interface merged across lib files keep that order, and with it the order of overloads.
  const rank = (name: string) => (TS_LIB_ORDER.includes(name) ? TS_LIB_ORDER.indexOf(name) : TS_LIB_ORDER.length);
  const sorted = [...order].sort((a, b) => rank(a) - rank(b));
  const parts = sorted.map((name) => `// lib.${name}.d.ts\n${sources.get(name)!.replace(REFERENCE_LIB, '')}`);
  return { text: oneByte(latin1DocComments(parts.join('\n'))), files: new Set(sorted.map((name) => `lib.${name}.d.ts`)) };
}

/**
 * The same text stored one byte a character when it is all Latin-1. V8 keeps the encoding of the strings a result is
 * built from: lib files read with a few non-Latin-1 characters are two-byte strings, and so were their join and the
 * replace that spelled those characters in Latin-1, doubling 0.5 MB held in the main heap, the io thread's and the
 * start-up snapshot's bytes. A latin1 round trip through a Buffer makes a one-byte string.
 */
function oneByte(text: string): string {
  return /[^\x00-\xff]/.test(text) ? text : Buffer.from(text, 'latin1').toString('latin1');
}

/**
 * A copy of `s` that does not point into the string it was cut from: V8 keeps a substring of 13 or more
 * characters as a slice of its parent, so `decorators.legacy`, read from lib.es5.d.ts, kept all 219 KB of it.
 */
function detached(s: string): string {
  return Array.from(s).join('');
}

/**
 * Doc comment typography with a plain Latin-1 spelling: lib.es5's minus signs (U+2212) and zero-width joiners,
 * dashes, a typographic apostrophe, the euro sign.
 */
const LATIN1_SPELLING: Record<string, string> = {
  '\u2212': '-',
  '\u200d': '',
  '\u2013': '-',
  '\u2014': '-',
  '\u2019': "'",
  '\u20ac': 'EUR',
};

/**
 * The text with the few non-Latin-1 characters of its doc comments (13 in TypeScript 6.0's ES libs) spelled in
 * Latin-1. One such character makes V8 store the whole 0.5 MB text two bytes a character, and it is held in the
 * main heap, the io thread's and the start-up snapshot's bytes. Only lines of doc comments (starting with `*`) are
 * touched, and only characters in the table: code keeps its characters, whatever a future lib declares.
 */
function latin1DocComments(text: string): string {
  return text.replace(/^[ \t]*\*.*[^\x00-\xff].*$/gm, (line) => line.replace(/[^\x00-\xff]/g, (c) => LATIN1_SPELLING[c] ?? c));
}
