/**
 * `npm run bench`: every benchmark suite that exists, one after another, each in its own process (so one suite's
 * heap and timers cannot skew the next). A report: exits 0 whatever the suites print.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** npm script name -> entry, relative to dist/bench. */
const SUITES: Record<string, string> = { kernel: 'kernel/index.js', futures: 'futures/index.js', idle: 'kernel/idle.js' };

for (const [suite, file] of Object.entries(SUITES)) {
  const entry = path.join(__dirname, file);
  if (!existsSync(entry)) continue;
  console.log(`\n== bench:${suite} ==`);
  spawnSync(process.execPath, [entry], { stdio: 'inherit' });
}
