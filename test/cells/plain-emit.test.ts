/**
 * Cells without TypeScript syntax are printed directly instead of through program.emit (kernel/cells/plain-emit.ts):
 * the JavaScript and the source map's mappings must be what program.emit writes, and a cell that needs one of
 * TypeScript's transforms must not take that path.
 */
import ts = require('typescript');
import { emitPlainCell, plainCellSourceMap } from '../../kernel/cells/plain-emit';
import { cellRewrite, EMIT_OPTIONS, emitCheckedCell, plainRewrite, type TransformOptions } from '../../kernel/cells/transform';

const PLAIN = [
  'const x = 5;',
  '1 + 1',
  '// a comment\nconst a = 1; /* inline */ const b = `t${a}`;\n/** doc */\nfunction f(x) { return x * 2 } // trailing\nf(a)',
  'class C extends Array { constructor() { super(); } get p() { return 1; } static async *w() {} }\nnew C().p',
  'let {q, r: [s1, s2 = 3], ...rest} = {q: 1, r: [2], z: 4}; q + s1 + s2',
  'const big = 10n ** 20n, sep = 1_000_000, re = /a(?<n>b)/gu; big',
  'async function* g() { yield 1; }\nfor await (const v of g()) console.log(v);',
  'const m = await import("node:path"); m.sep',
  'import * as fs from "node:fs"; import { join as j } from "node:path"; import os from "node:os"; typeof fs.readFileSync',
  'label: for (let i = 0; i < 3; i++) { if (i) break label; }',
  'const o = { a: 1, get b() { return 2 }, ["c" + 1]: 3, async *d() {} }; o?.a ?? o.b',
  'var v1 = 1, v2; let l1; v1',
  "'\\u{1F600}' + \"é\" + `multi\nline`",
  'try { throw new Error("e") } catch { } finally { }\nlet n = 0;\nn++',
  'export const ex = 1; export default 5;',
  'if (true) {\n  // nested comment\n  console.log("x")\n}\n',
  '',
  // Prologue-like first statements, a shebang, detached and pinned comments: printed apart from the rest by the
  // printer's whole-file and function-body paths.
  "'use strict'; const strict = 1",
  '"a"; "b";',
  '#!/usr/bin/env node\nconst afterShebang = 1',
  '/*! pinned */\n\n// detached\n\nconst q = 1; // q\n// the end',
  // Names that shadow a platform global (the wrapper's parameters, kept in __tsf.shadows; see SHAPES).
  'let fetch = 1; fetch = 2',
  'import { setTimeout } from "node:timers"; function crypto() {}\nsetTimeout',
  'await Promise.resolve(fetch)',
  // Values without comments (their `return [...]` is written as text) over several lines, and one the array
  // parenthesizes.
  'const arr = [1,\n  2];\n({\n  a: arr,\n  f: function () {\n    return [3,\n      4];\n  },\n})',
  'let c = 0;\nc++, c',
];

/**
 * The shapes of the wrapper (cell-wrapper.ts): no parameter, one, several, each also async (the cells that await),
 * with and without the try/finally that keeps assigned shadowing names.
 */
const SHAPES: Pick<TransformOptions, 'shadowed' | 'writeBack'>[] = [
  {},
  { shadowed: new Set(['fetch']) },
  { shadowed: new Set(['fetch', 'setTimeout', 'crypto']), writeBack: new Set(['fetch']) },
  { shadowed: new Set(['fetch', 'crypto']), writeBack: new Set(['crypto', 'unshadowed', 'fetch']) },
];

const NOT_PLAIN = [
  'const x: number = 5;',
  'interface P { x: number }\nconst p = {} as P;',
  'enum E { A }',
  'const el = <div />;',
  'using r = { [Symbol.dispose]() {} };',
  '@dec class D {}',
  'function f<T>(x: T) { return x; }',
];

/** Each cell as the engine checks it: the cell, then its export line (dropped by the rewrite). */
function program(cells: readonly string[], ext = '.ts'): { program: ts.Program; files: ts.SourceFile[]; suffixes: number[] } {
  const texts = new Map(cells.map((code, i) => [`/nb/cell${i}${ext}`, code]));
  const options: ts.CompilerOptions = { ...EMIT_OPTIONS, noLib: true, types: [], noResolve: true, jsx: ts.JsxEmit.React };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, target) => (texts.has(name) ? ts.createSourceFile(name, `${texts.get(name)}\nexport { };`, target, false) : undefined);
  host.fileExists = (name) => texts.has(name);
  host.getCurrentDirectory = () => '/nb';
  const p = ts.createProgram([...texts.keys()], options, host);
  return { program: p, files: [...texts.keys()].map((name) => p.getSourceFile(name)!), suffixes: cells.map((code) => code.length) };
}

test.each(SHAPES)('a plain cell prints as program.emit writes it: same JavaScript, same mappings (made later from its text), same globals (%p)', (shape) => {
  const { program: p, files, suffixes } = program(PLAIN);
  files.forEach((file, i) => {
    const options = { fileName: `Cell In[${i}].ts`, suffixStart: suffixes[i], ...shape };
    const emitted: Record<string, string> = {};
    const emitGlobals: string[] = [];
    p.emit(file, (name, text) => (emitted[name.endsWith('.map') ? 'map' : 'js'] = text), undefined, false, { before: [cellRewrite(options, emitGlobals)] });
    const plainGlobals: string[] = [];
    const plain = emitPlainCell(file, plainRewrite(options, plainGlobals), p.getCompilerOptions());
    expect(plain).toBeDefined();
    // program.emit ends the file with its sourceMappingURL comment (the engine drops it) and an ES module with `export {};`.
    const expected = emitted.js.replace(/^\/\/# sourceMappingURL=.*\n?/m, '').replace(/^export \{\};\s*$/m, '');
    expect({ cell: PLAIN[i], js: plain!.replace(/^export \{\};\s*$/m, '') }).toEqual({ cell: PLAIN[i], js: expected });
    expect(plainGlobals).toEqual(emitGlobals);
    // The map, made when a traceback needs it, from the cell's text alone: for the very JavaScript that ran.
    const mapped = plainCellSourceMap(file.fileName, file.text, cellRewrite(options, []), p.getCompilerOptions());
    expect({ cell: PLAIN[i], js: mapped?.js }).toEqual({ cell: PLAIN[i], js: plain });
    expect(JSON.parse(mapped!.sourceMap)).toEqual(JSON.parse(emitted.map));
  });
});

test('a cell that needs a TypeScript transform (types, JSX, using, decorators) goes through program.emit', () => {
  const { program: p, files } = program(NOT_PLAIN, '.tsx');
  for (const file of files) expect(emitPlainCell(file, plainRewrite({ fileName: 'cell.ts' }, []), p.getCompilerOptions())).toBeUndefined();
});

test("a plain cell's text is emitted whole: a template literal's lines that look like program.emit's own are kept", () => {
  const cell = 'const s = `a\nexport {};\n//# sourceMappingURL=x.js.map\nb`;\ns';
  const { program: p, files, suffixes } = program([cell]);
  const { js } = emitCheckedCell(p, files[0], { fileName: 'Cell In[1].ts', suffixStart: suffixes[0] });
  expect(js).toContain('s = `a\nexport {};\n//# sourceMappingURL=x.js.map\nb`;');
});

test("a typed cell's template literal keeps its lines that look like program.emit's own; the real ones go", () => {
  const cells = ['const s: string = `a\nexport {};\n//# sourceMappingURL=x.js.map\nb`;\ns', 'import * as p from "node:path";\nconst u: string = `x\nexport {};\ny`;\nu'];
  const { program: p, files, suffixes } = program(cells);
  files.forEach((file, i) => {
    const { js } = emitCheckedCell(p, file, { fileName: `Cell In[${i + 1}].ts`, suffixStart: suffixes[i] });
    expect(js).toContain(i === 0 ? 's = `a\nexport {};\n//# sourceMappingURL=x.js.map\nb`;' : 'u = `x\nexport {};\ny`;');
    expect(js).not.toMatch(/\nexport \{\};\s*$|sourceMappingURL=Cell/);
    expect(() => new Function(js)).not.toThrow();
  });
});
