/**
 * The cache directory's pruning (kernel/snapshot/prune.ts): the most recently used blobs and code caches stay, so
 * do this checkout's and any a start or a build is using; older ones and dead builds' leftovers go.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEPT, pruneCache } from '../../kernel/snapshot/prune';

const STALE_MS = 120_000;
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-prune-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file last modified `modifiedAgoMs` ago and last read `readAgoMs` ago (default: when modified). */
function file(name: string, modifiedAgoMs: number, readAgoMs = modifiedAgoMs): string {
  const full = path.join(dir, name);
  writeFileSync(full, name);
  utimesSync(full, new Date(Date.now() - readAgoMs), new Date(Date.now() - modifiedAgoMs));
  return full;
}

const left = () => readdirSync(dir).sort();
const hour = 3_600_000;

test('keeps the KEPT most recently used blobs and code caches, and the ones it is told to keep', () => {
  expect(KEPT).toBe(3);
  for (let i = 1; i <= 6; i++) file(`kernel-00${i}.blob`, i * hour);
  // Built long ago but started from a minute ago: its atime (build-entry.ts sets it) makes it recent.
  file('kernel-0aa.blob', 100 * hour, 60_000);
  const mine = file('kernel-0bb.blob', 200 * hour);
  for (let i = 1; i <= 5; i++) file(`typescript-v20.0.0-x64-1-${i}.v8cache`, i * hour);
  file('notes.txt', 500 * hour);

  pruneCache(dir, [mine], STALE_MS);

  expect(left()).toEqual([
    'kernel-001.blob', 'kernel-002.blob', 'kernel-0aa.blob', 'kernel-0bb.blob', 'notes.txt',
    'typescript-v20.0.0-x64-1-1.v8cache', 'typescript-v20.0.0-x64-1-2.v8cache', 'typescript-v20.0.0-x64-1-3.v8cache',
  ]);
});

test("a blob a live start or build is using stays; dead ones' markers and locks protect nothing and go", () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid whose process is gone
  for (let i = 1; i <= 3; i++) file(`kernel-00${i}.blob`, i * hour);
  file('kernel-0aa.blob', 50 * hour);
  file(`kernel-0aa.blob.${process.pid}.starting`, 50 * hour); // a live start: between the launcher's test and node's read
  file('kernel-0dd.blob', 55 * hour);
  file(`kernel-0dd.blob.${dead}.starting`, 55 * hour); // a start that died on that blob: both go
  file('kernel-0bb.blob', 60 * hour);
  file('kernel-0bb.blob.building', 1_000); // a build running: it may be probing this blob
  file('kernel-0cc.blob', 70 * hour);
  file('kernel-0cc.blob.building', 10 * STALE_MS); // a build that died long ago

  pruneCache(dir, [], STALE_MS);

  expect(left()).toEqual([
    'kernel-001.blob', 'kernel-002.blob', 'kernel-003.blob',
    'kernel-0aa.blob', `kernel-0aa.blob.${process.pid}.starting`, 'kernel-0bb.blob', 'kernel-0bb.blob.building',
  ]);
});

test("a dead build's leftovers go, a running build's stay", () => {
  file('kernel-001.blob.777', 10 * STALE_MS); // partial blob
  file('kernel-001.blob.777.typescript.js', 10 * STALE_MS); // stripped compiler
  file('kernel-001.blob.entry.js', 10 * STALE_MS);
  file('kernel-002.blob.888', 1_000);
  file('kernel-002.blob.888.typescript.js', 1_000);
  file('kernel-002.blob.entry.js', 1_000);
  file('kernel-002.blob.building', 1_000);

  pruneCache(dir, [], STALE_MS);

  expect(left()).toEqual(['kernel-002.blob.888', 'kernel-002.blob.888.typescript.js', 'kernel-002.blob.building', 'kernel-002.blob.entry.js']);
});

test('blobs named with V8 flags (index.ts blobPath) are blobs too: pruned, their markers and leftovers with them', () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const flagged = (id: string) => `kernel-${id}--max-semi-space-size=2.blob`;
  for (let i = 1; i <= 5; i++) file(flagged(`00${i}`), i * hour);
  file(`${flagged('001')}.${process.pid}.starting`, 1 * hour); // a live start: in use, besides the KEPT others
  file(`${flagged('005')}.${dead}.starting`, 5 * hour); // the oldest blob's dead start: goes with it
  file(`${flagged('009')}.777`, 10 * STALE_MS); // a dead build's partial blob

  pruneCache(dir, [], STALE_MS);

  expect(left()).toEqual([flagged('001'), `${flagged('001')}.${process.pid}.starting`, flagged('002'), flagged('003'), flagged('004')]);
});

test('a missing directory is no error', () => {
  expect(() => pruneCache(path.join(dir, 'absent'), [], STALE_MS)).not.toThrow();
});
