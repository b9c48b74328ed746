/**
 * The compiler's source as the kernel compiles it (typescript-code.ts, and the start-up snapshot's builder,
 * kernel/snapshot/): typescript.js with two changes that let each cell's type checker die young, one that spares
 * each new program work on its unchanged files (rememberSourceFileOptions, below), and without the parts the kernel
 * never runs (withoutUnusedSections, below).
 *
 * createTypeChecker makes a sentinel, `noIterationTypes`, as an object literal with getters. Node 20's V8 keeps
 * what such getters reach alive in its young-generation collections until the next full one: each checker, and so
 * every checker since the last Mark-Compact, survived each scavenge and was promoted, though only the last is
 * alive. With a new checker per declaring cell, each scavenge copied and promoted nearly all that the cells
 * allocated (docs/performance.md, "The cell engine"). The same sentinel, made once beside createTypeChecker, means
 * the same to every checker: it is only compared by identity, and its getters only fail.
 *
 * The other cause is V8's allocation-site pretenuring: once a literal's objects have survived scavenges, optimised
 * code allocates its next ones in the old generation. appendIfUnique's `[toAdd]` (symbols' declarations, a
 * checker's type parameters) was pretenured as soon as checkers survived, and its arrays then pointed from the old
 * generation at the next checker, which every scavenge kept. `Array.of(toAdd)` makes the same array without an
 * allocation site, so it stays young and so does the checker. Pretenuring itself stays on: the other literals V8
 * pretenures hold what the start-up makes and keeps (the lib files' flow nodes among them), and the cells' own code
 * keeps it.
 *
 * Line numbers stay those of typescript.js (a compiler crash's stack names its lines). A change whose text is not
 * found (another TypeScript) is not made.
 */

const PER_CHECKER = `  var noIterationTypes = {
    get yieldType() {
      return Debug.fail("Not supported");
    },
    get returnType() {
      return Debug.fail("Not supported");
    },
    get nextType() {
      return Debug.fail("Not supported");
    }
  };`;
const CHECKER_START = 'function createTypeChecker(host) {';
const SHARED = '__tsfutures_noIterationTypes';

/** appendIfUnique's literal and the same array from a builtin, whose allocation carries no allocation site. */
const PRETENURED = { start: 'function appendIfUnique(array, toAdd, equalityComparer) {', line: '    return [toAdd];', siteless: '    return Array.of(toAdd);' };

/**
 * createProgram asks, for every file of the old program (tryReuseStructureFromOldProgram) and every new one, how to
 * parse it: getCreateSourceFileOptions normalises the path, tests its extension, looks up the package.json scope of a
 * file under node_modules and makes a new setExternalModuleIndicator closure. With a new program per declaring cell
 * that is every lib, runtime and @types file again, each time with the same answer. The answer is remembered per
 * file, options object, current directory and package.json lookups (the package.json cache's own table: clearing
 * that cache empties the table, so nothing computed from the old lookups is kept), and each caller gets a copy. It
 * is a function of those alone: the host is only asked on lookups the cache then remembers, and the global typings
 * cache location (a host without it is required). A new or cleared cache (no table yet) computes as before.
 */
const OPTIONS_START = '  function getCreateSourceFileOptions(fileName, moduleResolutionCache2, host2, options2) {';
const PROGRAM_START = 'function createProgram(_rootNamesOrOptions, _options, _host, _oldProgram, _configFileParsingDiagnostics) {';
const REMEMBERED = '__tsfutures_sourceFileOptions';
const REMEMBER = `var ${REMEMBERED}Table = new WeakMap(); function ${REMEMBERED}(fileName, cache, host, options, currentDirectory, compute) {
  const lookups = !host.getGlobalTypingsCacheLocation && cache && cache.getPackageJsonInfoCache && cache.getPackageJsonInfoCache();
  const table = lookups && lookups.getInternalMap && lookups.getInternalMap();
  if (!table) return compute(fileName, cache, host, options);
  let byOptions = ${REMEMBERED}Table.get(table);
  if (!byOptions) ${REMEMBERED}Table.set(table, byOptions = new WeakMap());
  let byFile = byOptions.get(options);
  if (!byFile) byOptions.set(options, byFile = new Map());
  let known = byFile.get(fileName);
  if (!known || known.currentDirectory !== currentDirectory || known.result.jsDocParsingMode !== host.jsDocParsingMode) byFile.set(fileName, known = { currentDirectory, result: compute(fileName, cache, host, options) });
  return { ...known.result };
}`;

/** getCreateSourceFileOptions through the remembered answers (its body is kept, renamed, on the same lines). */
function rememberSourceFileOptions(text: string): string {
  const program = text.indexOf(`\n${PROGRAM_START}\n`);
  const at = text.indexOf(`\n${OPTIONS_START}\n`, program);
  if (program < 0 || at < 0 || text.includes(REMEMBERED)) return text;
  const helper = REMEMBER.replace(/\s*\n\s*/g, ' ');
  const forward = `${OPTIONS_START} return ${REMEMBERED}(fileName, moduleResolutionCache2, host2, options2, currentDirectory, computeCreateSourceFileOptions); } function computeCreateSourceFileOptions(fileName, moduleResolutionCache2, host2, options2) {`;
  return `${text.slice(0, program + 1)}${helper} ${text.slice(program + 1, at + 1)}${forward}${text.slice(at + 1 + OPTIONS_START.length)}`;
}

/** typescript.js's text with the changes above, each made where its text is found (once). */
export function compilerSource(text: string): string {
  return withoutUnusedSections(rememberSourceFileOptions(withoutSite(shareSentinel(text), PRETENURED)));
}

/** The checker's sentinel made once, beside createTypeChecker. */
function shareSentinel(text: string): string {
  const start = text.indexOf(CHECKER_START);
  const at = text.indexOf(PER_CHECKER, start);
  if (start < 0 || at < 0 || text.includes(SHARED)) return text;
  const literal = PER_CHECKER.slice(PER_CHECKER.indexOf('{')).replace(/\s*\n\s*/g, ' ');
  const lineBreaks = '\n'.repeat(PER_CHECKER.split('\n').length - 1);
  return `${text.slice(0, start)}var ${SHARED} = ${literal} ${text.slice(start, at)}  var noIterationTypes = ${SHARED};${lineBreaks}${text.slice(at + PER_CHECKER.length)}`;
}

/** The line replaced within its function (which ends at the first unindented `}`), if it is there. */
function withoutSite(text: string, { start, line, siteless }: typeof PRETENURED): string {
  const fn = text.indexOf(`\n${start}\n`);
  const end = text.indexOf('\n}\n', fn);
  const at = text.indexOf(`\n${line}\n`, fn);
  if (fn < 0 || at < 0 || at > end) return text;
  return `${text.slice(0, at + 1)}${siteless}${text.slice(at + 1 + line.length)}`;
}

/**
 * typescript.js is one bundle of TypeScript's source files, each starting at a `// src/...` line. These sections hold
 * what the kernel never runs: tsserver and its typings installer, the builders and watchers of tsc -b / --watch,
 * code fixes and refactors, the editor features the kernel does not offer, and the transformers of targets below
 * ES2022 and of System modules (cells and local modules compile to ES2022, whatever tsconfig.json says). The kernel
 * calls the compiler, transpileModule and, from the language service, diagnostics, completions (without
 * auto-imports) and quick info. Dropped, their source is no longer resident three times over (the blob's bytes, the
 * main heap and every worker isolate of a blob-started kernel: docs/performance.md, "Kernel memory: where it goes").
 * What kept code still names in them is left dangling, and test/cells/typescript-pruning.test.ts checks that those
 * names are exactly the audited ones, each in a function the kernel never calls. The result is the kernel's alone
 * (kernel-compiler.ts).
 */
const UNUSED_SECTIONS = [
  'src/compiler/builder.ts',
  'src/compiler/builderPublic.ts',
  'src/compiler/builderState.ts',
  'src/compiler/executeCommandLine.ts',
  'src/compiler/resolutionCache.ts',
  'src/compiler/transformers/es2015.ts',
  'src/compiler/transformers/es2016.ts',
  'src/compiler/transformers/es2017.ts',
  'src/compiler/transformers/es2018.ts',
  'src/compiler/transformers/es2019.ts',
  'src/compiler/transformers/es2020.ts',
  'src/compiler/transformers/es2021.ts',
  'src/compiler/transformers/generators.ts',
  'src/compiler/transformers/module/system.ts',
  'src/compiler/tsbuildPublic.ts',
  'src/compiler/watchPublic.ts',
  'src/deprecatedCompat/',
  'src/jsTyping/',
  'src/server/',
  'src/services/_namespaces/ts.BreakpointResolver.ts',
  'src/services/_namespaces/ts.CallHierarchy.ts',
  'src/services/_namespaces/ts.classifier.ts',
  'src/services/_namespaces/ts.classifier.v2020.ts',
  'src/services/_namespaces/ts.FindAllReferences.ts',
  'src/services/_namespaces/ts.GoToDefinition.ts',
  'src/services/_namespaces/ts.InlayHints.ts',
  'src/services/_namespaces/ts.MapCode.ts',
  'src/services/_namespaces/ts.NavigateTo.ts',
  'src/services/_namespaces/ts.NavigationBar.ts',
  'src/services/_namespaces/ts.OrganizeImports.ts',
  'src/services/_namespaces/ts.OutliningElementsCollector.ts',
  'src/services/_namespaces/ts.PasteEdits.ts',
  'src/services/_namespaces/ts.preparePasteEdits.ts',
  'src/services/_namespaces/ts.refactor',
  'src/services/_namespaces/ts.Rename.ts',
  'src/services/_namespaces/ts.SmartSelectionRange.ts',
  'src/services/breakpoints.ts',
  'src/services/callHierarchy.ts',
  'src/services/classifier.ts',
  'src/services/classifier2020.ts',
  'src/services/codefixes/',
  'src/services/documentHighlights.ts',
  'src/services/findAllReferences.ts',
  'src/services/getEditsForFileRename.ts',
  'src/services/goToDefinition.ts',
  'src/services/importTracker.ts',
  'src/services/inlayHints.ts',
  'src/services/mapCode.ts',
  'src/services/navigateTo.ts',
  'src/services/navigationBar.ts',
  'src/services/organizeImports.ts',
  'src/services/outliningElementsCollector.ts',
  'src/services/pasteEdits.ts',
  'src/services/patternMatcher.ts',
  'src/services/preparePasteEdits.ts',
  'src/services/refactorProvider.ts',
  'src/services/refactors/',
  'src/services/rename.ts',
  'src/services/smartSelection.ts',
  'src/typescript/_namespaces/ts.server.ts',
  'src/typingsInstallerCore/',
];

/** The TypeScript whose sections were audited: another one is compiled whole (its sections may call each other). */
export const PRUNED_VERSION = '6.0.3';

/** Sections under an UNUSED_SECTIONS prefix that completions need (exhaustive `case` snippets, computed names). */
const USED_SECTIONS = ['src/services/codefixes/helpers.ts', 'src/services/codefixes/importFixes.ts'];
/** The line each of typescript.js's source files starts with. */
const SECTION = '\n// src/';
/** A top-level declaration of the bundle (esbuild writes them unindented), matched at a line's start. */
const DECLARATION = /(?:async )?(?:function\*? ?|var |class )([\w$]+)/y;
/** The first characters DECLARATION can match: a, c, f, v. */
const DECLARATION_START = new Set([97, 99, 102, 118]);
/** An export table (esbuild's __export) and its entries (`  name: () => target,`). */
const EXPORT_TABLE = { start: '\n__export(', end: '\n});\n' };
const EXPORT_ENTRY = /^ {2}([\w$]+): \(\) => ([\w$]+),?$/gm;
/** The annotation block at the end (`0 && (module.exports = {...})`, for Node's ES module interop) and its entries. */
const ANNOTATION = '\n0 && (module.exports = {\n';
const ANNOTATED_EXPORT = /^ {2}([\w$]+),?$/gm;

/**
 * typescript.js without UNUSED_SECTIONS, each replaced by as many line breaks (line numbers stay), and without the
 * exports of what they declared. This runs at every start that is not from the blob: plain string scans, and the
 * result is left as V8's concatenation of the kept slices, copied once when compiled.
 */
export function withoutUnusedSections(text: string): string {
  if (!text.includes(`\nvar version = "${PRUNED_VERSION}";\n`)) return text;
  // The unused sections (from the marker line to the line break before the next one) and their declarations.
  const unused: Array<[start: number, end: number, lineBreaks: number]> = [];
  const dropped = new Set<string>();
  for (let at = text.indexOf(SECTION); at >= 0; ) {
    const next = text.indexOf(SECTION, at + 1);
    const name = text.slice(at + SECTION.length - 'src/'.length, text.indexOf('\n', at + 1));
    if (UNUSED_SECTIONS.some((prefix) => name.startsWith(prefix)) && !USED_SECTIONS.includes(name)) {
      const end = next < 0 ? text.length : next;
      let lines = 0;
      for (let line = at + 1; line > 0 && line < end; line = text.indexOf('\n', line) + 1, lines++) {
        if (!DECLARATION_START.has(text.charCodeAt(line))) continue;
        DECLARATION.lastIndex = line;
        const declared = DECLARATION.exec(text);
        if (declared) dropped.add(declared[1]);
      }
      unused.push([at + 1, end, lines]);
    }
    at = next;
  }
  // The annotation block at the end (`0 && (module.exports = {...})`) names the exports of the tables before it.
  const annotation = text.lastIndexOf(ANNOTATION);
  const tablesEnd = annotation > (unused.at(-1)?.[1] ?? 0) ? annotation : text.length;
  let out = '';
  const droppedExports = new Set<string>();
  let from = 0;
  let table = text.indexOf(EXPORT_TABLE.start);
  for (const [start, end, lineBreaks] of [...unused, [tablesEnd, tablesEnd, 0]]) {
    // The text kept before this section, with its export tables' entries for dropped names removed.
    if (table >= 0 && table < from) table = text.indexOf(EXPORT_TABLE.start, from);
    for (; table >= 0 && table < start; table = text.indexOf(EXPORT_TABLE.start, from)) {
      const tableEnd = text.indexOf(EXPORT_TABLE.end, table);
      out += text.slice(from, table);
      out += text.slice(table, tableEnd).replace(EXPORT_ENTRY, (line, name: string, target: string) => (dropped.has(target) ? (droppedExports.add(name), '') : line));
      from = tableEnd;
    }
    out += text.slice(from, start);
    out += '\n'.repeat(lineBreaks);
    from = end;
  }
  const rest = text.slice(from);
  return out + (from === annotation ? rest.replace(ANNOTATED_EXPORT, (line, name: string) => (droppedExports.has(name) ? '' : line)) : rest);
}
