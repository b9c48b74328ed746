import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The checkout's (or the installed package's) root: the nearest directory up from `start` whose package.json is
 * tsfutures'. Kernel modules run compiled (dist/kernel/...) and, under jest, from the sources (kernel/...): counting
 * directories up from __dirname is right for only one of the two.
 */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'tsfutures') return dir;
      } catch { /* not ours; keep walking */ }
    }
    if (path.dirname(dir) === dir) throw new Error(`no tsfutures package.json above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
