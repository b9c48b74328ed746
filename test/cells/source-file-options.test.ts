/**
 * The kernel's compiler remembers how to parse each file of a program (typescript-source.ts, getCreateSourceFileOptions)
 * instead of working it out again for every file of every new program. Checked on the kernel's compiler text, loaded
 * here as the kernel loads it (jest's own `typescript` is the whole, unchanged compiler).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type * as TS from 'typescript';
import { compilerSource } from '../../kernel/cells/typescript-source';

const TS_FILE = require.resolve('typescript');

function load(text: string): typeof TS {
  const mod = { exports: {} as typeof TS };
  const wrapper = vm.runInThisContext(Module.wrap(text), { filename: TS_FILE }) as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(TS_FILE), mod, TS_FILE, path.dirname(TS_FILE));
  return mod.exports;
}

const original = readFileSync(TS_FILE, 'utf8');
const kernelTs = load(compilerSource(original));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tsf-source-options-'));
  mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules', 'pkg', 'package.json'), JSON.stringify({ name: 'pkg', type: 'module', types: 'index.d.ts' }));
  writeFileSync(path.join(dir, 'node_modules', 'pkg', 'index.d.ts'), 'export declare const p: number;\n');
  writeFileSync(path.join(dir, 'main.ts'), 'import { p } from "pkg";\nexport const q = p;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Programs over main.ts, each from the one before, on one host and resolution cache; what each file was parsed with. */
function programs(ts: typeof TS) {
  const options: TS.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  const cache = ts.createModuleResolutionCache(dir, (f) => f, options);
  const parsedWith = new Map<string, TS.CreateSourceFileOptions>();
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, o, ...rest) => {
    if (typeof o === 'object') parsedWith.set(path.basename(path.dirname(fileName)) + '/' + path.basename(fileName), o);
    return getSourceFile(fileName, o, ...rest);
  };
  // As the kernel's project does (project.ts): its resolver, and so the program, keeps one cache across programs.
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, o) =>
    literals.map((literal) => ts.resolveModuleName(literal.text, containingFile, o, host, cache, redirected));
  (host as { getModuleResolutionCache?: () => TS.ModuleResolutionCache }).getModuleResolutionCache = () => cache;
  let program: TS.Program | undefined;
  const next = () => {
    parsedWith.clear();
    program = ts.createProgram({ rootNames: [path.join(dir, 'main.ts')], options, host, oldProgram: program });
    return { program, parsedWith: new Map(parsedWith) };
  };
  return { next, cache };
}

test("a file's options are worked out once: the next program's are a copy, with the same module detection", () => {
  const { next } = programs(kernelTs);
  const first = next().parsedWith.get('pkg/index.d.ts')!;
  const second = next().parsedWith.get('pkg/index.d.ts')!;
  expect(second).not.toBe(first);
  expect(second).toEqual(first);
  expect(second.setExternalModuleIndicator).toBe(first.setExternalModuleIndicator);
  expect(first.impliedNodeFormat).toBe(kernelTs.ModuleKind.ESNext);
  // The whole compiler makes them anew for every program.
  const whole = programs(load(original));
  expect(whole.next().parsedWith.get('pkg/index.d.ts')!.setExternalModuleIndicator).not.toBe(whole.next().parsedWith.get('pkg/index.d.ts')!.setExternalModuleIndicator);
});

test("a package.json read again after the resolution cache is cleared decides its files' format", () => {
  const { next, cache } = programs(kernelTs);
  const pkgFile = (p: TS.Program) => p.getSourceFiles().find((f) => f.fileName.endsWith('pkg/index.d.ts'))!;
  expect(pkgFile(next().program).impliedNodeFormat).toBe(kernelTs.ModuleKind.ESNext);
  const packageJson = path.join(dir, 'node_modules', 'pkg', 'package.json');
  const before = readFileSync(packageJson, 'utf8');
  writeFileSync(packageJson, JSON.stringify({ name: 'pkg', types: 'index.d.ts' }));
  try {
    // Remembered until then, as the package.json lookups themselves are.
    expect(pkgFile(next().program).impliedNodeFormat).toBe(kernelTs.ModuleKind.ESNext);
    cache.clear();
    expect(pkgFile(next().program).impliedNodeFormat).toBe(kernelTs.ModuleKind.CommonJS);
  } finally {
    writeFileSync(packageJson, before);
  }
});
