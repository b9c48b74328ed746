import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The launcher script an installed kernelspec runs (bin/tsfutures-kernel.sh: from the start-up snapshot when it can)
 * and the V8 flags it gives every kernel process, read from its `v8_flags='...'` line, the one place they are written.
 * Whoever else starts a kernel (the built-in spec, the tests' client, the blob's builder and probe) starts it under
 * the same flags. Takes the checkout root: callers compute it for their own location (dist/ or the sources).
 */
export function launcherPath(root: string): string {
  return path.join(root, 'bin', 'tsfutures-kernel.sh');
}

export function kernelV8Flags(root: string): string[] {
  const file = launcherPath(root);
  const line = /^v8_flags='([^']*)'$/m.exec(readFileSync(file, 'utf8'));
  if (!line) throw new Error(`no v8_flags line in ${file}`);
  return line[1].split(' ').filter(Boolean);
}
