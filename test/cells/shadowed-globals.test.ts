/**
 * A cell's top-level declaration of a name that is one of the platform's globals (`setTimeout`, `fetch`,
 * `performance`, `Blob`) binds it for that cell and the later ones, with its declared type, and leaves the realm's
 * global alone (kernel/cells/global-shadows.ts). The kernel-level consequences (a package calling the global
 * `setTimeout` with a callback) are in test/kernel/real-engine.test.ts: under jest, packages see jest's own global.
 */
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createEngine } from '../../kernel/cells';
import type { CellEngine } from '../../kernel/protocol/engine';

let engine: CellEngine;
const realm = vm.runInThisContext('globalThis') as Record<string, unknown>;
const nativesBefore = Object.getOwnPropertyDescriptors(realm);
// Read now (some are lazy getters: Blob, performance): what the realm's globals must still be after the cells.
const natives = Object.fromEntries(['setTimeout', 'fetch', 'structuredClone', 'Blob', 'Event', 'performance', 'crypto'].map((name) => [name, realm[name]]));

beforeAll(() => {
  engine = createEngine({ cwd: path.join(__dirname, '..', 'fixtures', 'notebook') });
});
// Were a cell to replace a global of the jest worker's realm, later test files would inherit it: put back.
afterAll(() => {
  for (const [name, descriptor] of Object.entries(nativesBefore)) {
    if (realm[name] !== descriptor.value && descriptor.configurable) Object.defineProperty(realm, name, descriptor);
  }
});

async function value(code: string): Promise<unknown> {
  const r = await engine.execute(code);
  if (r.status !== 'ok') throw new Error(`cell failed: ${r.ename}: ${r.evalue}\n${r.traceback.join('\n')}`);
  return r.hasValue ? r.value : undefined;
}

async function failure(code: string): Promise<string> {
  const r = await engine.execute(code);
  return r.status === 'ok' ? 'ok' : `${r.ename}: ${r.evalue}`;
}

test('const { setTimeout } = await import("node:timers/promises"): the promise version in later cells, typed as such', async () => {
  expect(await value('const { setTimeout } = await import("node:timers/promises");\nawait setTimeout(1, "same cell")')).toBe('same cell');
  expect(await value('await setTimeout(1, "next cell")')).toBe('next cell');
  expect(realm.setTimeout).toBe(natives.setTimeout);
  expect(await value('(globalThis.setTimeout as unknown) === setTimeout')).toBe(false);
  // The global's signature (a callback first) is not the binding's: a type error, not a call that never calls back.
  expect(await failure('setTimeout(() => print("never"), 5)')).toMatch(/^TSError: TS2345/);
  expect(await value('async function later(ms: number) { return await setTimeout(ms, "from a function"); }\nawait later(1)')).toBe('from a function');
  expect(await value('await later(2)')).toBe('from a function');
});

test('let fetch = ...: later cells see it, and see a reassignment in a later cell', async () => {
  expect(await value('let fetch = (url: string) => `mine ${url}`;\nfunction fetchTwice(url: string) { return [fetch(url), fetch(url)].join(" "); }\nfetch("a")')).toBe('mine a');
  expect(realm.fetch).toBe(natives.fetch);
  expect(await value('fetch("b")')).toBe('mine b');
  expect(await failure('fetch(1)')).toMatch(/^TSError: TS2345/);
  expect(await value('fetch = (url: string) => `other ${url}`;\nfetch("c")')).toBe('other c');
  expect(await value('fetch("d")')).toBe('other d');
  // Kept even when the cell that assigns it fails afterwards, as a global would be.
  expect(await failure('fetch = (url: string) => `third ${url}`;\nthrow new RangeError("after the assignment")')).toBe('RangeError: after the assignment');
  expect(await value('fetch("f")')).toBe('third f');
  // A function of the declaring cell sees what that cell bound (a wrapper parameter), as an import's would.
  expect(await value('fetchTwice("e")')).toBe('mine e mine e');
  expect(realm.fetch).toBe(natives.fetch);
});

test('function, class and a redeclaration in a later cell', async () => {
  expect(await value('function structuredClone(n: number) { return n * 2; }\nstructuredClone(2)')).toBe(4);
  expect(await value('structuredClone(4)')).toBe(8);
  expect(await failure('structuredClone({ a: 1 })')).toMatch(/^TSError: TS2345/);
  expect(realm.structuredClone).toBe(natives.structuredClone);

  expect(await value('class Blob { constructor(public text: string) {} shout() { return this.text.toUpperCase(); } }\nnew Blob("a").shout()')).toBe('A');
  expect(await value('const blob = new Blob("b");\n[blob instanceof Blob, blob.shout(), blob.text]')).toEqual([true, 'B', 'b']);
  expect(realm.Blob).toBe(natives.Blob);

  expect(await value('enum Event { Start = 1, Stop }\nEvent.Stop')).toBe(2);
  expect(await value('const started: Event = Event.Start;\nstarted')).toBe(1);
  expect(realm.Event).toBe(natives.Event);

  expect(await value('const performance = { now: () => 42 };\nperformance.now()')).toBe(42);
  expect(await value('performance.now()')).toBe(42);
  expect(await value('const performance = { now: () => 7, label: "second" };\n[performance.now(), performance.label]')).toEqual([7, 'second']);
  expect(await value('performance.label')).toBe('second');
  expect(realm.performance).toBe(natives.performance);
});

test('a user expression sees the cells\' binding', async () => {
  await value('const performance = { label: "the cells\' own" };');
  expect(await engine.evaluate('performance.label')).toMatchObject({ status: 'ok', value: "the cells' own" });
  expect(realm.performance).toBe(natives.performance);
});

test('completion and inspection know the binding\'s type', async () => {
  await value('const crypto = { sealWith: (key: string) => `sealed with ${key}` };');
  expect(engine.complete('crypto.seal', 'crypto.seal'.length).matches).toContain('sealWith');
  expect(engine.complete('crypto.getRandomV', 'crypto.getRandomV'.length).matches).not.toContain('getRandomValues');
  const inspection = engine.inspect('crypto.sealWith', 'crypto.seal'.length, 0);
  expect(inspection.found && JSON.stringify(inspection.data)).toMatch(/sealWith: \(key: string\) => string/);
  expect(realm.crypto).toBe(natives.crypto);
});
