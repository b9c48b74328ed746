/** The notebooks named on a command line: files as given, folders searched recursively. */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Outputs of our own runs and Jupyter's autosaves are not notebooks to test. */
export function isTestableNotebook(file: string): boolean {
  return file.endsWith('.ipynb') && !file.endsWith('.executed.ipynb') && !file.split(path.sep).includes('.ipynb_checkpoints');
}

export function findNotebooks(paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.ipynb_checkpoints' && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      } else if (isTestableNotebook(full)) found.push(full);
    }
  };
  for (const p of paths) {
    // A file named explicitly is taken as is (even if it does not exist: it then fails with its reason).
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {}
    if (isDir) walk(p);
    else found.push(p);
  }
  return found;
}
