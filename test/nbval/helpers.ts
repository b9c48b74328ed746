/** Shared by the nbval tests: run the compiled CLIs as real processes, copy fixtures to temp dirs. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isAlive } from '../../kernel/process/children';
export { isAlive as alive };

export const ROOT = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/nbval/<cli>.js args...` (the tsc build made by jest's global setup). */
export function runCli(cli: 'nbval-cli' | 'run-cli', args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return runProcess(process.execPath, [path.join(ROOT, 'dist', 'nbval', `${cli}.js`), ...args], options);
}

export function runProcess(command: string, args: string[], { cwd = ROOT, env = process.env }: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A private copy of fixture folders, for tests that write (--update, executed notebooks). */
export function copyFixtures(...dirs: string[]): string {
  const target = mkdtempSync(path.join(tmpdir(), 'nbval-test-'));
  for (const dir of dirs) cpSync(fixture(dir), path.join(target, path.basename(dir)), { recursive: true });
  return target;
}

/** Whether a process is still alive (signal 0 only checks). */
