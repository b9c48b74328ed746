// Child processes started by tests (the kernel, process-pool workers) run the compiled build, so build first.
// Type errors do not stop the tests here (tsc still emits); `npm run typecheck` is the gate for those.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
module.exports = async () => {
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, '..', 'tsconfig.json')], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`\n[global-setup] tsc reported errors (build emitted anyway):\n${r.stdout}${r.stderr}\n`);
};
