/**
 * A cell is parsed once, by the program that checks it, when its export clause can wait (checked-text.ts): it is
 * checked as `code` + `export {};`, its names are read from the program's SourceFile, and the clause goes into the
 * cell's copy only. Cells whose check depends on the clause keep it (and a parse of their own first). Either way,
 * what is checked, reported and run stays the same: asserted through behaviour, plus the checked text.
 */
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import type { CellProject } from '../../kernel/cells/project';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, '..', 'fixtures');

const project = (engine: CellEngine) => (engine as unknown as { project: CellProject }).project;
/** The text the program checked the last cell as. */
const checkedText = (engine: CellEngine) => {
  const p = project(engine);
  return p.program().getSourceFile(p.checkedFile)!.text;
};

async function status(engine: CellEngine, code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

describe('one parse', () => {
  let engine: CellEngine;
  beforeAll(() => {
    engine = createEngine({ cwd: ROOT });
  });

  test('cells of constants, functions, classes, types, enums, namespaces and imports are checked without the clause; later cells see their names', async () => {
    const cells = [
      'const po1 = 41;',
      '/** Doubles. */\nfunction poTwice(a: number) { return a * 2; }',
      'class PoBox<T> { constructor(readonly v: T) {} }\ninterface PoShape { side: number }\ntype PoId = string | number;',
      'enum PoColor { Red, Green }\nnamespace PoNs { export const k = 3; }',
      'import * as poPath from "node:path";\nimport { EventEmitter as PoEmitter } from "node:events";',
      'const { a: poA, b: [poB] } = { a: 1, b: ["x"] };',
      '1 + 1',
    ];
    for (const code of cells) {
      expect([code, await status(engine, code)]).toEqual([code, 'ok']);
      expect(checkedText(engine)).toBe(`${code}\nexport {};`);
    }
    const later = 'const poUse: [number, number, PoShape, PoId, number, string, string] = [poTwice(po1 + 1), new PoBox(poA).v, { side: 1 }, "id", PoColor.Green + PoNs.k, poPath.join("a", "b"), poB];\n' +
      'const poStats: poPath.ParsedPath = poPath.parse("/x/y.ts");\nnew PoEmitter().on("e", () => {});\npoUse';
    expect(await engine.execute(later)).toMatchObject({ status: 'ok', value: [84, 1, { side: 1 }, 'id', 4, 'a/b', 'x'] });
    expect(await status(engine, 'const poBad: string = po1;')).toMatch(/^TSError: TS2322: Type 'number' is not assignable to type 'string'/);
    expect(await status(engine, 'po1 = 2')).toMatch(/^TSError: TS2588/);
  });

  test('completion and inspection see a cell checked without the clause', async () => {
    expect(await status(engine, '/** The answer. */\nfunction poAnswer() { return { value: 42 }; }')).toBe('ok');
    expect(checkedText(engine)).toMatch(/\nexport \{\};$/);
    expect(engine.complete('poAnswer().va', 13).matches).toContain('value');
    expect(engine.complete('poAns', 5).matches).toContain('poAnswer');
    expect(engine.inspect('poAnswer()', 2, 0).data['text/plain']).toBe('function poAnswer(): {\n    value: number;\n}\n\nThe answer.');
  });

  test('errors keep their positions, lines and messages; a run-time error its line', async () => {
    const typeError = await engine.execute('const poOk = 1;\nconst poWrong: string =\n  poOk;');
    expect(checkedText(engine)).toMatch(/\nexport \{\};$/);
    expect(typeError).toMatchObject({ status: 'error', ename: 'TSError', evalue: "TS2322: Type 'number' is not assignable to type 'string'." });
    expect(typeError.status === 'error' && typeError.traceback.slice(1, 2)).toEqual([
      "Cell In[12], line 2\n    const poWrong: string =\n          ^^^^^^^\nTS2322: Type 'number' is not assignable to type 'string'.",
    ]);
    // A syntax error: parsed again for the names, as before; the error at the cell's end.
    const syntax = await engine.execute('const poOpen = 1 +');
    expect(syntax).toMatchObject({ status: 'error', evalue: 'TS1109: Expression expected.' });
    expect(syntax.status === 'error' && syntax.traceback[1]).toBe('Cell In[13], line 1\n    const poOpen = 1 +\n                      ^\nTS1109: Expression expected.');
    const thrown = await engine.execute('const poFine = 1;\nnull.x;');
    expect(thrown.status === 'error' && thrown.traceback.join('\n')).toMatch(/Cell In\[14\], line 2/);
    expect(checkedText(engine)).toBe('const poFine = 1;\nnull.x;\nexport {};');
  });

  test('a cell that imports a Node builtin while the lite globals stand in is checked against @types/node', async () => {
    const fresh = createEngine({ cwd: ROOT });
    expect((fresh as unknown as { nodeTypes: string }).nodeTypes).toBe('lite');
    const code = 'import { setTimeout as poSleep } from "node:timers/promises";\nconst poT: NodeJS.Timeout = setTimeout(() => {}, 0);\nclearTimeout(poT);\nawait poSleep(1, "slept")';
    expect(await fresh.execute(code)).toMatchObject({ status: 'ok', value: 'slept' });
    expect(checkedText(fresh)).toBe(`${code}\nexport {};`);
    expect((fresh as unknown as { nodeTypes: string }).nodeTypes).toBe('full');
    expect(await status(fresh, 'const poWait: Promise<string> = poSleep(1, "again");')).toBe('ok');
  });
});

describe('cells that keep the export clause', () => {
  let engine: CellEngine;
  beforeAll(() => {
    engine = createEngine({ cwd: ROOT });
  });

  test('a top-level let or var: exported, it may be assigned anywhere, so a closure does not keep its narrowing', async () => {
    const code = 'let pkU: string | number = Math.random() > 2 ? "a" : 1;\nif (typeof pkU === "string") { const g = () => pkU.length; }';
    expect(await status(engine, code)).toMatch(/^TSError: TS2339: Property 'length' does not exist on type 'string \| number'/);
    expect(checkedText(engine)).toBe(`${code}\nexport { pkU };`);
    // Also when no line starts with it (found by the program's parse, then checked again with the clause).
    const hidden = 'const pkC = 1; /** doc */ let pkW: string | number = pkC > 2 ? "a" : 1;\n/** doc */ var pkV = 1;\nif (typeof pkW === "string") { const g = () => pkW.length; }';
    expect(await status(engine, hidden)).toMatch(/^TSError: TS2339/);
    expect(checkedText(engine)).toBe(`${hidden}\nexport { pkC, pkW, pkV };`);
    // A `let` inside a function is not the cell's name: no clause needed.
    expect(await status(engine, 'function pkF() { let s = 0; for (let i = 0; i < 3; i++) s += i; return s; }\npkF()')).toBe('ok');
    expect(checkedText(engine)).toMatch(/\nexport \{\};$/);
  });

  test('a cell of its own exports and `declare global` are checked with the clause, as before', async () => {
    expect(await status(engine, 'export const pkE = 1; const pkF2 = 2;')).toBe('ok');
    expect(checkedText(engine)).toBe('export const pkE = 1; const pkF2 = 2;\nexport { pkF2 };');
    expect(await engine.execute('pkE + pkF2')).toMatchObject({ status: 'ok', value: 3 });
    expect(await status(engine, 'declare global { interface PkGlobal { a: number } }')).toMatch(/^TSError/);
    expect(checkedText(engine)).toMatch(/\nexport \{ global \};$/);
  });

  test('a mentioned shadowing name: the statement that binds it follows the clause', async () => {
    expect(await status(engine, 'const fetch = (u: string) => `fetched ${u}`;')).toBe('ok');
    expect(await engine.execute('fetch("x")')).toMatchObject({ status: 'ok', value: 'fetched x' });
    expect(checkedText(engine)).toMatch(/^fetch\("x"\)\nexport \{  \}; import \{ fetch \} from "\.\/__tsfutures_cell_\d+";$/);
  });

  test('JSX: a cell that does not parse as TypeScript is parsed as TSX; generics do not make a cell JSX', async () => {
    const react = 'const React = { createElement: (t: any, p: object, ...c: unknown[]) => ({ t: t.name, p, c }) };\nfunction PkTag(p: { id: string }) { return null; }';
    expect(await status(engine, react)).toBe('ok');
    expect(await engine.execute('const pkEl = <PkTag id="x">hi</PkTag>;\npkEl')).toMatchObject({ status: 'ok', value: { t: 'PkTag', p: { id: 'x' }, c: ['hi'] } });
    expect(project(engine).checkedFile).toMatch(/\.tsx$/);
    expect(await status(engine, 'const pkArr: Array<number> = [1];\nconst pkId = <T,>(v: T) => v;')).toBe('ok');
    expect(project(engine).checkedFile).toMatch(/\.ts$/);
    expect(checkedText(engine)).toMatch(/\nexport \{\};$/);
  });

  test('JSX in a JavaScript notebook (whose files always parse JSX)', async () => {
    const js = createEngine({ cwd: ROOT, language: 'javascript' });
    expect(await status(js, 'const React = { createElement: (t, p, ...c) => ({ t, p, c }) };')).toBe('ok');
    expect(await js.execute('const jsEl = <i>hi</i>;\njsEl')).toMatchObject({ status: 'ok', value: { t: 'i', p: null, c: ['hi'] } });
    expect(project(js).checkedFile).toMatch(/\.jsx$/);
    expect(await status(js, 'const jsN = 2 < 3;')).toBe('ok');
    expect(checkedText(js)).toBe('const jsN = 2 < 3;\nexport {};');
  });

  test('a tsconfig.json with noUnusedLocals: a cell\'s names are used by later cells, its inner ones are not', async () => {
    const unused = createEngine({ cwd: path.join(FIXTURES, 'unused-notebook') });
    expect(await status(unused, 'const nuTop = 1;\nfunction nuF() { return nuTop; }')).toBe('ok');
    expect(checkedText(unused)).toBe('const nuTop = 1;\nfunction nuF() { return nuTop; }\nexport { nuTop, nuF };');
    expect(await status(unused, 'function nuG() { const inner = 1; return 2; }')).toMatch(/^TSError: TS6133: 'inner' is declared but its value is never read/);
  });
});
