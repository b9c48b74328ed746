/**
 * Cells that cannot run long skip the SIGINT watchdog (kernel/cells/inert.ts); everything that may run user code
 * (and so loop) keeps it. Wrongly calling a cell inert would make its endless loop uninterruptible.
 */
import ts = require('typescript');
import { isInert } from '../../kernel/cells/inert';

/** The realm's globals as a cell would find them: data properties of each kind, and an accessor (user code). */
const globals: Record<string, unknown> = { total: 0, text: 'x', nothing: null, obj: { valueOf: () => 1 }, fn: () => 1 };
Object.defineProperty(globals, 'trap', { get: () => 1, set: () => undefined, configurable: true });

const inert = (code: string) => isInert(ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS), globals);

test.each([
  'const x = 5;',
  '1 + 1',
  'let s = "a" + `b` + 1n',
  'const n = -3 * (2 ** 8) % 7 > 1 ? 1 : 0',
  'const f = (a: number) => { while (true) {} }',
  'function g() { for (;;) {} }',
  'const o = { n: 1, s: "x", f() { while (true) {} }, get v() { return 1; } }',
  'const a = [1, , "two", () => 3]',
  'interface P { x: number }\ntype Q = P[];',
  'declare const ambient: number;',
  'const t = 5 as number satisfies number',
  ';',
  // Variables: data properties of the globals, operators only on primitives.
  'total += 5; total',
  'total',
  'obj',
  'const y = obj; y',
  'total = obj',
  'const label = text + "!" + total + nothing',
  '({ total, obj })',
  'const fresh = 1',
])('inert: %s', (code) => {
  expect(inert(code)).toBe(true);
});

test.each([
  'while (true) {}',
  'for (const x of [1]) {}',
  'f()',
  'new Date()',
  'x',
  'const y = x',
  'const { a } = { a: 1 }',
  'const [b] = [1]',
  'const s = [...[1]]',
  'const o = { ...{} }',
  'const o = { [k()]: 1 }',
  'const o = { x }',
  'const o = { toString() { while (true) {} } }; o + 1',
  '({ valueOf() { while (true) {} } }) + 1',
  '[{}] + ""',
  '`${1}`',
  'class A { static { while (true) {} } }',
  'import * as fs from "node:fs"',
  'await 1',
  'i++',
  '"a" in {}',
  'enum E { A }',
  '/x/.test("x")',
  // Property reads may run getters (conservative even on a string).
  'const len = "abc".length',
  // An object operand's valueOf/toString, a getter or setter on globalThis: user code.
  'obj + 1',
  'total += obj',
  'obj += 1',
  'fn + ""',
  'trap',
  'trap = 1',
  'const trap = 1',
  '({ trap })',
  // Not a global yet and not declared here: conservative.
  'missing',
  // A variable of this cell in an operator: its value is not known before the run.
  'const a = 1; a + 1',
])('not inert: %s', (code) => {
  expect(inert(code)).toBe(false);
});
