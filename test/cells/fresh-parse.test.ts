/**
 * The checked cell is parsed whole for every cell (project.ts EditedSnapshot `fresh`): one cell after another
 * differs by a few characters, and the incremental parser's bookkeeping over the previous cell's tree cost more than
 * parsing the small new text. Asserted on the syntax trees: the new cell's tree shares no node with the previous
 * one, and the previous tree is left as it was (the incremental parser moves and re-parents the nodes it reuses).
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

test('a cell that differs from the previous one by a few characters is parsed anew, leaving the previous tree alone', async () => {
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
