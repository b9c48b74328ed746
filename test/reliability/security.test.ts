/**
 * Security: the kernel listens only on the connection file's ip, and what it writes (history, kernelspec) is not
 * world-writable even under a permissive umask. (Key and signature checks: bad-input.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, KernelClient } from '../kernel/helpers/kernel-client';
import { figure, listeningAddresses } from './helpers';

test("the kernel's sockets listen on the connection file's ip only", async () => {
  const k = await KernelClient.start();
  try {
    // Control and heartbeat are bound by the io thread, which starts once the engine is warm (session.ts): an
    // answered heartbeat shows it is up.
    expect(await k.heartbeat()).toBe(true);
    const addresses = listeningAddresses(k.process.pid!);
    const ports = ['shell', 'control', 'stdin', 'iopub', 'hb'].map((n) => k.connection[`${n}_port`]).sort();
    const local = addresses.filter((a) => a.startsWith('127.0.0.1:')).length;
    figure('security', 'listening sockets on the connection ip', `${local}/${addresses.length} on 127.0.0.1`, '5/5', local === 5 && addresses.length === 5);
    expect(addresses.every((a) => a.startsWith('127.0.0.1:'))).toBe(true);
    expect(addresses.map((a) => Number(a.split(':')[1])).sort()).toEqual(ports);
  } finally {
    await k.close();
  }
});

/** Files and directories under root that anyone may write to. */
function worldWritable(root: string): string[] {
  const found: string[] = [];
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.mode & 0o002) found.push(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(path.join(p, e));
  };
  visit(root);
  return found;
}

test('history and kernelspec files are not world-writable, even with umask 000', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-perms-'));
  const data = path.join(dir, 'data');
  // umask 000 in the child: whatever protection there is must come from the kernel's own modes.
  const withUmask = (args: string[]) => execFileSync('/bin/sh', ['-c', `umask 000 && exec "$@"`, 'sh', process.execPath, BIN, ...args], { env: { ...process.env, JUPYTER_DATA_DIR: data } });
  withUmask(['install', '--user']);
  const k = await KernelClient.start({ env: { JUPYTER_DATA_DIR: data } });
  try {
    await k.execute('1 + 1'); // written to the history file
  } finally {
    await k.close();
  }
  const history = path.join(data, 'tsfutures', 'history.jsonl');
  expect(statSync(history).mode & 0o077).toBe(0);
  const loose = worldWritable(data);
  figure('security', 'world-writable files (kernelspec, history)', loose.length, '0', loose.length === 0);
  expect(loose).toEqual([]);
});
