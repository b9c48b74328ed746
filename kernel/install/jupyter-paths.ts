/**
 * jupyter_core's directory rules, in one place: where the user's data dir is (history, `--user` kernelspecs) and
 * which data dirs are searched, highest precedence first (kernelspecs). The system dirs are Debian's Python prefix
 * (/usr), a local one (/usr/local), then jupyter_core's SYSTEM_JUPYTER_PATH.
 */
import { homedir } from 'node:os';
import * as path from 'node:path';

/** The first system data dir: where `jupyter kernelspec install` writes without a flag. */
export const SYSTEM_DATA_DIR = '/usr/local/share/jupyter';

/** jupyter_core's data dir: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter. */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), '.local', 'share'), 'jupyter');
}

/** jupyter_core's jupyter_path(subdir): $JUPYTER_PATH, the user's data dir, sys.prefix's, then the system dirs. */
export function jupyterPath(subdir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.JUPYTER_PATH ?? '').split(path.delimiter).filter(Boolean);
  const sysPrefixes = ['/usr', '/usr/local'].map((prefix) => path.join(prefix, 'share', 'jupyter'));
  const dataDirs = [...fromEnv, jupyterDataDir(env), ...sysPrefixes, SYSTEM_DATA_DIR, '/usr/share/jupyter'];
  return [...new Set(dataDirs.map((d) => path.join(d, subdir)))];
}
