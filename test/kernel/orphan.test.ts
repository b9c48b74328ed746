/** A kernel whose parent dies exits by itself instead of living on as an orphan. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, FAKE_ENGINE, freePorts } from './helpers/kernel-client';

/** Running, as opposed to gone or a zombie nobody reaps (an orphan's new parent may not, in a container). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

test('the kernel exits when the process that started it dies', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-orphan-'));
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
  const file = path.join(dir, 'connection.json');
  writeFileSync(file, JSON.stringify({ transport: 'tcp', ip: '127.0.0.1', key: 'k', signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port }));
  // The middle process starts the kernel, reports its pid, and is then killed, leaving the kernel without parent.
  const starter = `const c = require('child_process').spawn(process.execPath, [${JSON.stringify(BIN)}, 'kernel', '-f', ${JSON.stringify(file)}], { stdio: 'ignore', env: { ...process.env, TSFUTURES_ENGINE: ${JSON.stringify(FAKE_ENGINE)}, JUPYTER_DATA_DIR: ${JSON.stringify(dir)} } }); console.log(c.pid); setInterval(() => {}, 1000);`;
  const middle = spawn(process.execPath, ['-e', starter], { stdio: ['ignore', 'pipe', 'inherit'] });
  const kernelPid = await new Promise<number>((resolve) => middle.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  // Wait until the kernel is up (its shell port accepts connections), then kill its parent.
  for (let up = false; !up; ) {
    up = await new Promise<boolean>((resolve) => {
      const s = net.connect(shell_port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => setTimeout(() => resolve(false), 50));
    });
  }
  expect(alive(kernelPid)).toBe(true);
  middle.kill('SIGKILL');
  await new Promise((r) => middle.once('exit', r));
  for (let i = 0; i < 200 && alive(kernelPid); i++) await new Promise((r) => setTimeout(r, 50));
  const survived = alive(kernelPid);
  if (survived) process.kill(kernelPid, 'SIGKILL');
  expect(survived).toBe(false);
});
