/**
 * Node's builtins as references (runtime/futures/references.ts): looking a value up indexes the builtin modules this
 * process has loaded and never loads the others (loading them all made the first function shipped, a kernel's first
 * pool, wait for them); a builtin loaded after the first lookup is found by the next one. Run in a fresh node, as
 * jest's own process has loaded modules other test files needed.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const REFERENCES = path.resolve(__dirname, '../../../dist/runtime/futures/references.js');

const SCRIPT = `
const { builtinModules } = require('node:module');
const { referenceOf } = require(${JSON.stringify(REFERENCES)});
const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name);
const unloaded = builtinModules.filter((name) => !name.startsWith('_') && !loaded(name));
const local = referenceOf(function local() { return 1; });
const loadedByLookup = unloaded.filter(loaded);
const dgram = require('node:dgram');
console.log(JSON.stringify({
  unloaded, local: local === undefined ? 'none' : local, loadedByLookup,
  createSocket: referenceOf(dgram.createSocket), join: referenceOf(require('node:path').join),
}));
`;

test('a lookup loads no builtin module; one loaded after it is found by the next lookup', () => {
  const r = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  expect(out.unloaded).toContain('dgram');
  expect(out.local).toBe('none');
  expect(out.loadedByLookup).toEqual([]);
  expect(out.createSocket).toEqual(['module', 'node:dgram', null, ['createSocket']]);
  expect(out.join).toEqual(['module', 'node:path', null, ['join']]);
});
