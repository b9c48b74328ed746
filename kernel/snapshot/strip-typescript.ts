/**
 * `node strip-typescript.js IN OUT`: writes IN (typescript.js) minified (whitespace, comments, local names), for the
 * blob builder (index.ts buildSnapshot, build-entry.ts loads OUT under IN's name). V8 keeps every script's source
 * (node builds blobs with FunctionCodeHandling::kClear: functions compile lazily from it), and a kernel started from
 * the blob holds typescript.js's source three times: in the blob's bytes node keeps, in the main heap, and in the io
 * thread's heap (a worker deserialises the blob's strings too). 9.1 -> 3.8 MB each: -11 MiB of RSS after 400 cells
 * (index.ts; whitespace alone: 6.7 MB, -7 MiB).
 * esbuild's whitespace and identifier minification: the compiler's names survive where they are properties (its
 * exports, node kinds, diagnostics), so its messages are unchanged and a compiler crash's stack names mangled locals
 * at the stripped copy's lines. Syntax stays as written (minifySyntax would save 0.16 MB more). ASCII output
 * (esbuild's default): one non-Latin-1 character would make V8 store the whole source as two-byte, twice the size.
 * Exits non-zero when esbuild is missing or fails: the builder then loads the original.
 */
import * as fs from 'node:fs';
import { compilerSource } from '../cells/typescript-source';

function main([input, output]: string[]): void {
  if (!input || !output) throw new Error('usage: strip-typescript.js IN OUT');
  const { transformSync } = require('esbuild') as typeof import('esbuild');
  const options = { loader: 'js', minifyWhitespace: true, minifyIdentifiers: true, charset: 'ascii' } as const;
  // The source the kernel compiles (typescript-source.ts), minified.
  const { code } = transformSync(compilerSource(fs.readFileSync(input, 'utf8')), options);
  fs.writeFileSync(output, code);
}

main(process.argv.slice(2));
