#!/usr/bin/env node
/**
 * `npm run test:reliability`: runs the reliability suite with soak sizes (10 000 cells, 100 000 pool tasks; `--fast`
 * for the `npm test` sizes) and prints the figures the tests recorded as one table. Exits with jest's status.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const fast = process.argv.includes('--fast');
const figures = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-reliability-')), 'figures.jsonl');
fs.writeFileSync(figures, '');

const started = Date.now();
const jest = spawnSync(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/reliability', '--runInBand'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_SOAK: fast ? '0' : '1', RELIABILITY_FIGURES: figures },
});

const rows = fs.readFileSync(figures, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const cols = [
  ['section', (r) => r.section],
  ['figure', (r) => r.name],
  ['measured', (r) => String(r.value)],
  ['target', (r) => r.limit],
  ['', (r) => (r.ok ? 'ok' : 'FAIL')],
];
const widths = cols.map(([h, f]) => Math.max(h.length, ...rows.map((r) => f(r).length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
const out = [
  `tsfutures reliability (${fast ? 'fast' : 'soak'} sizes), Node ${process.versions.node}, ${os.cpus().length} CPUs, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  line(cols.map(([h]) => h)),
  line(widths.map((w) => '-'.repeat(w))),
  ...rows.map((r) => line(cols.map(([, f]) => f(r)))),
];
process.stdout.write(`\n${out.join('\n')}\n`);
process.exit(jest.status ?? 1);
