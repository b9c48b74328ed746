/** jupyter_kernel_test (Debian's, /usr/bin/python3) against the kernelspec installed into a temp --prefix. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from './helpers/kernel-client';

test('jupyter_kernel_test passes', () => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-kjt-'));
  try {
    expect(spawnSync(process.execPath, [BIN, 'install', '--prefix', prefix], { encoding: 'utf8' }).status).toBe(0);
    const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), JUPYTER_DATA_DIR: path.join(prefix, 'data'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
    delete env.TSFUTURES_ENGINE;
    const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', '-v', 'kernel_test.py'], { cwd: __dirname, env, encoding: 'utf8', timeout: 240000 });
    if (r.status !== 0) throw new Error(`kernel_test.py failed:\n${r.stdout}\n${r.stderr}`);
    expect(r.stderr).toMatch(/\nOK/);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}, 300000);
