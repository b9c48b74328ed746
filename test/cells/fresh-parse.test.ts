/**
 * A short checked cell is parsed whole (project.ts WHOLE_PARSE_BELOW): one small cell after another differs by a few
 * characters, and the incremental parser's bookkeeping over the previous cell's tree cost more than parsing the new
 * text. A long cell run again after a small edit keeps the incremental parse. Asserted on the syntax trees: a whole
 * parse shares no node with the previous tree and leaves it as it was (the incremental parser moves and re-parents
 * the nodes it reuses).
 */
import * as path from 'node:path';
import type ts from 'typescript';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';
import type { CellProject } from '../../kernel/cells/project';

let engine: CellEngine;
const project = () => (engine as unknown as { project: CellProject }).project;
const checkedFile = (): ts.SourceFile => project().program().getSourceFile(project().checkedFile)!;

beforeAll(() => {
  engine = createEngine({ cwd: path.join(__dirname, '..', '..') });
});

test('a short cell that differs from the previous one by a few characters is parsed anew, leaving the previous tree alone', async () => {
  const head = 'const fpFirst = { a: 1, b: "two" };\nfunction fpTwice(n: number) { return n * 2; }\n';
  expect(await engine.execute(`${head}const fpLast = fpTwice(20);`)).toMatchObject({ status: 'ok' });
  const before = checkedFile();
  const [first, second] = before.statements;
  const positions = [first.pos, first.end, second.pos, second.end];
  expect(await engine.execute(`${head}const fpLast = fpTwice(21);`)).toMatchObject({ status: 'ok' });
  const after = checkedFile();
  expect(after).not.toBe(before);
  expect(after.text.startsWith(head)).toBe(true);
  expect(after.statements[0]).not.toBe(first);
  expect(after.statements[1]).not.toBe(second);
  expect([first.parent, second.parent]).toEqual([before, before]);
  expect([first.pos, first.end, second.pos, second.end]).toEqual(positions);
  expect(await engine.execute('fpLast + fpFirst.a')).toMatchObject({ status: 'ok', value: 43 });
});

test('a long cell run again after a small edit is still parsed incrementally', async () => {
  const head = Array.from({ length: 8 }, (_, i) => `function fpLong${i}(a: number, b: string[]) { return b.length > a ? b.slice(${i}) : b; }`).join('\n');
  expect(await engine.execute(`${head}\nconst fpEdited = fpLong1(1, ["a", "b", "c"]).length;`)).toMatchObject({ status: 'ok' });
  const [first] = checkedFile().statements;
  expect(await engine.execute(`${head}\nconst fpEdited = fpLong1(2, ["a", "b", "c"]).length;`)).toMatchObject({ status: 'ok' });
  expect(checkedFile().statements[0]).toBe(first);
  expect(await engine.execute('fpEdited')).toMatchObject({ status: 'ok', value: 2 });
});
