/**
 * bin/tsfutures-kernel.sh and glibc's mmap threshold: starting from a blob, it lowers a threshold above the blob's
 * size (BLOB.bytes) to that size, so that node's temporary read buffer of the blob is mapped and returned rather than
 * left as a resident hole in the heap, and passes the given value on for the kernel to restore. A fake node prints
 * what it was started with.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const launcher = path.resolve(__dirname, '..', '..', 'bin', 'tsfutures-kernel.sh');
const flags = /^v8_flags='([^']*)'$/m.exec(readFileSync(launcher, 'utf8'))![1];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-launcher-'));
const base = path.join(dir, 'kernel-0.blob');
const blob = `${base.replace(/\.blob$/, '')}${flags}.blob`;
const fakeNode = path.join(dir, 'node');
writeFileSync(fakeNode, '#!/bin/sh\nprintf "%s\\n" "args=$*" "GLIBC_TUNABLES=${GLIBC_TUNABLES-unset}" "GIVEN=${TSFUTURES_GLIBC_TUNABLES-unset}"\n');
chmodSync(fakeNode, 0o755);
writeFileSync(blob, 'a blob');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KERNEL_JSON = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432';

function launch(tunables: string | undefined, bytes: string | undefined): Record<string, string> {
  rmSync(`${blob}.bytes`, { force: true });
  // The fake node never deletes the marker a start from the blob leaves; the next launch would take it for a dead start.
  for (const name of readdirSync(dir)) if (name.endsWith('.starting')) rmSync(path.join(dir, name));
  if (bytes !== undefined) writeFileSync(`${blob}.bytes`, bytes);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
  const r = spawnSync('/bin/sh', [launcher, fakeNode, base, '-f', 'conn.json'], { env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

test('a threshold above the blob size is lowered to it, and the given value passed on', () => {
  const out = launch(KERNEL_JSON, '17284429\n');
  expect(out.args).toContain('--snapshot-blob');
  expect(out.GLIBC_TUNABLES).toBe(`${KERNEL_JSON}:glibc.malloc.mmap_threshold=17284429`);
  expect(out.GIVEN).toBe(KERNEL_JSON);
});

test('glibc takes the last value of a tunable named twice', () => {
  const r = spawnSync('/lib64/ld-linux-x86-64.so.2', ['--list-tunables'], {
    env: { GLIBC_TUNABLES: `${KERNEL_JSON}:glibc.malloc.mmap_threshold=17284429` },
    encoding: 'utf8',
  });
  if (r.error) return; // not glibc on x86-64: nothing to check
  expect(r.stdout).toMatch(/glibc\.malloc\.mmap_threshold: 0x107bd4d\b/);
});

test('left alone: no threshold given, one at or below the blob size, no size file, a garbled one', () => {
  for (const [tunables, bytes] of [
    [undefined, '17284429\n'],
    ['glibc.malloc.hugetlb=1', '17284429\n'],
    ['glibc.malloc.mmap_threshold=131072', '17284429\n'],
    [KERNEL_JSON, undefined],
    [KERNEL_JSON, 'garbage\n'],
  ] as const) {
    const out = launch(tunables, bytes);
    expect(out.args).toContain('--snapshot-blob');
    expect(out.GLIBC_TUNABLES).toBe(tunables ?? 'unset');
    expect(out.GIVEN).toBe('unset');
  }
});

test('an ordinary start (no blob) changes nothing', () => {
  rmSync(blob);
  try {
    const out = launch(KERNEL_JSON, '17284429\n');
    expect(out.args).not.toContain('--snapshot-blob');
    expect(out.GLIBC_TUNABLES).toBe(KERNEL_JSON);
    expect(out.GIVEN).toBe('unset');
  } finally {
    writeFileSync(blob, 'a blob');
  }
});
