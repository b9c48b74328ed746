/**
 * Type-check defaults (issue 24 item 5): everyday notebook idioms check, as they do in tslab (measured here on the
 * same cells with tslab's own converter); a tsconfig.json beside the notebook overrides the defaults. JSX cells
 * (item 8) use React.createElement, or the factory that tsconfig.json names.
 */
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Each idiom is one cell; its names are unique so every engine can run them all in turn. */
const IDIOMS: Record<string, string> = {
  'an empty array evolves': 'const result = [];\nresult.push(1);\nresult.push("two");',
  'untyped parameters': 'const twice = (x) => x * 2;\nfunction greet(name) { return "hi " + name; }',
  'optional chain on a null field': 'const obj = { x: null };\nconst z = obj?.x?.z;',
  'catch variable used as an Error': 'try { JSON.parse("{"); } catch (e) { console.log(e.message); }',
  'a null initialiser assigned later': 'let best = null;\nbest = { score: 1 };\nbest.score;',
};

async function status(engine: CellEngine, code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

test('the idioms check and run under the defaults, as in tslab', async () => {
  const engine = createEngine({ cwd: path.join(FIXTURES, 'notebook') });
  const { createConverter } = require('tslab/dist/converter') as typeof import('tslab/dist/converter');
  const tslab = createConverter();
  try {
    for (const [idiom, code] of Object.entries(IDIOMS)) {
      expect([idiom, tslab.convert('', code).diagnostics.map((d) => d.code)]).toEqual([idiom, []]);
      expect([idiom, await status(engine, code)]).toEqual([idiom, 'ok']);
    }
  } finally {
    tslab.close();
  }
  // What the defaults keep of strict: a function type mismatch is still an error.
  expect(await status(engine, 'const handler: (n: number) => void = (s: string) => {};')).toMatch(/^TSError: TS2322/);
});

test('a tsconfig.json beside the notebook overrides the defaults', async () => {
  const engine = createEngine({ cwd: path.join(FIXTURES, 'strict-notebook') });
  expect(await status(engine, IDIOMS['an empty array evolves'])).toBe('ok');
  expect(await status(engine, IDIOMS['untyped parameters'])).toMatch(/^TSError: TS7006: Parameter 'x' implicitly has an 'any' type/);
  expect(await status(engine, IDIOMS['optional chain on a null field'])).toMatch(/^TSError: TS2339: Property 'z' does not exist on type 'never'/);
  expect(await status(engine, IDIOMS['catch variable used as an Error'])).toMatch(/^TSError: TS18046: 'e' is of type 'unknown'/);
  // Only checking options are taken from it: its "module": "commonjs" does not change how cells import.
  expect(await status(engine, 'import { sum } from "tsfutures";\nsum([1])')).toBe('ok');
});

describe('JSX cells', () => {
  test('React.createElement by default, with React installed', async () => {
    const engine = createEngine({ cwd: path.join(FIXTURES, 'notebook') });
    const r = await engine.execute('import React from "react";\nconst el = <b className="x">hi</b>;\n[el.type, el.props.className, el.props.children]');
    expect(r).toMatchObject({ status: 'ok', value: ['b', 'x', 'hi'] });
    // A later plain cell (and generic arrows, which TSX would read as JSX) still checks as TypeScript.
    expect(await status(engine, 'const id = <T>(v: T) => v;\nid(<number>1)')).toBe('ok');
  });

  test('the factory a tsconfig.json names, with fragments', async () => {
    const engine = createEngine({ cwd: path.join(FIXTURES, 'jsx-notebook') });
    const r = await engine.execute('import { h, Fragment } from "./h";\nconst el = <ul id="list">{[1, 2].map((n) => <li>{n}</li>)}<></></ul>;\nel');
    expect(r).toMatchObject({
      status: 'ok',
      value: { tag: 'ul', props: { id: 'list' }, children: [[{ tag: 'li', props: null, children: [1] }, { tag: 'li', props: null, children: [2] }], { tag: 'fragment', props: null, children: [] }] },
    });
    expect(await status(engine, 'const el2 = <i>{el.tag}</i>;\nel2.children[0]')).toBe('ok');
  });
});
