/**
 * `npm run build && node dist/bench/kernel/user-cells.js`: how fast users' code runs in our kernel, against the same
 * code in a plain node. Each cell times its own work with performance.now (so the round trip is not counted) and runs
 * in a fresh kernel after 20 declaring cells; the peer is `node` with the kernel's V8 flags running the cell
 * transpiled. The cells cover the tiers V8 moves code through: a recursive hot function, a parser's mutually
 * recursive closures, a sort with a comparator, string processing, and many distinct functions called a few hundred
 * times each (the range between the interpreter and TurboFan where library code lives). ROUNDS=n (default 3).
 */
import { execFileSync } from 'node:child_process';
import ts = require('typescript');
import { KernelManager } from '../../nbval/client/manager';
import { kernelV8Flags } from '../../kernel/process/launcher';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { installedSpec } from './spec';
import { median } from './stats';

const TIMED = (work: string) => `const t0 = performance.now();\n${work}\nMath.round(performance.now() - t0)`;

const CELLS: Record<string, string> = {
  fib: `function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n${TIMED('fib(30);')}`,
  parser: `function tokens(s: string): string[] { return s.match(/\\d+(?:\\.\\d+)?|\\S/g) ?? []; }
function evaluate(t: string[]): number {
  let at = 0;
  const factor = (): number => { const x = t[at++]; if (x === '(') { const v = sum(); at++; return v; } return x === '-' ? -factor() : Number(x); };
  const product = (): number => { let v = factor(); while (t[at] === '*' || t[at] === '/') v = t[at++] === '*' ? v * factor() : v / factor(); return v; };
  const sum = (): number => { let v = product(); while (t[at] === '+' || t[at] === '-') v = t[at++] === '+' ? v + product() : v - product(); return v; };
  return sum();
}
${TIMED('let total = 0; for (let k = 0; k < 3000; k++) total += evaluate(tokens(`(${k} + 2.5) * (3 - ${k % 7}) / (1 + ${k % 5}) - -4 * (${k} - 1)`));')}`,
  sort: `const items = Array.from({ length: 200000 }, (_, i) => ({ name: 'n' + ((i * 7919) % 200000), score: (i * 31) % 1000 }));
${TIMED('items.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));')}`,
  words: `const text = Array.from({ length: 20000 }, (_, i) => \`line \${i}: the quick brown fox \${i % 13} jumps over the lazy dog\`).join('\\n');
${TIMED("const counts = new Map<string, number>(); for (const word of text.split(/\\W+/)) if (word) counts.set(word.toLowerCase(), (counts.get(word.toLowerCase()) ?? 0) + 1);")}`,
  'warm functions': `const fns: Array<(x: number) => number> = [];
for (let k = 0; k < 300; k++) fns.push(new Function('x', \`let s = x; for (let i = 0; i < 20; i++) s = (s * \${k + 3} + i) % 1000003; return s;\`) as (x: number) => number);
${TIMED('let acc = 0; for (let r = 0; r < 300; r++) for (const f of fns) acc += f(r);')}`,
};

async function inKernel(): Promise<Record<string, number>> {
  const manager = new KernelManager(installedSpec(), { startTimeout: 120 });
  const client = await manager.start();
  try {
    for (let i = 0; i < 20; i++) await client.execute(`const x${i} = ${i};`);
    const ms: Record<string, number> = {};
    for (const [name, code] of Object.entries(CELLS)) {
      const { outputs } = await client.execute(code);
      const result = outputs.find((o) => o.output_type === 'execute_result') as { data?: Record<string, string> } | undefined;
      if (!result?.data) throw new Error(`cell ${name}: ${JSON.stringify(outputs)}`);
      ms[name] = Number(result.data['text/plain']);
    }
    return ms;
  } finally {
    await manager.shutdown();
  }
}

function inNode(code: string): number {
  const js = ts.transpileModule(code.replace(/\nMath\.round\(performance\.now\(\) - t0\)$/, '\nconsole.log(Math.round(performance.now() - t0))'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  }).outputText;
  return Number(execFileSync(process.execPath, [...kernelV8Flags(PACKAGE_ROOT), '-e', js], { encoding: 'utf8' }).trim());
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 3);
  const kernel: Record<string, number[]> = {};
  const node: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, ms] of Object.entries(await inKernel())) (kernel[name] ??= []).push(ms);
    for (const [name, code] of Object.entries(CELLS)) (node[name] ??= []).push(inNode(code));
  }
  console.log(`Users' cells: ms each cell measures itself, median of ${rounds} (a fresh kernel each round), against plain node`);
  for (const name of Object.keys(CELLS)) {
    const ours = median(kernel[name]);
    const peer = median(node[name]);
    console.log(`${name.padEnd(16)} tsfutures ${String(ours).padStart(5)} ms   node ${String(peer).padStart(5)} ms   (${(ours / peer).toFixed(2)}x)`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
