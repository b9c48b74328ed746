import { parseArgs } from '../../nbval/args';
import { applyControlCharacters, compareOutputs } from '../../nbval/compare';
import { unifiedDiff } from '../../nbval/diff';
import { findNotebooks } from '../../nbval/discover';
import { cellOptions, commentMarkers, shouldCheck } from '../../nbval/markers';
import { fromStoredOutput, serializeNotebook, splitLines, toStoredOutput, type Cell } from '../../nbval/notebook';
import { createSanitizer, parseSanitizeFile, pythonRegex, pythonReplacement } from '../../nbval/sanitize';
import { resolveOptions } from '../../nbval/jest-notebook';
import { OutputCollector, type NbOutput } from '../../nbval/client/outputs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { IMimeBundle } from '@jupyterlab/nbformat';

const code = (source: string, tags?: string[]): Cell => ({ cell_type: 'code', source, metadata: tags ? { tags } : {}, outputs: [] });

describe('command-line arguments', () => {
  const spec = { booleans: ['lax', 'h'], values: ['timeout', 'sanitize-with'], repeatable: ['sanitize-with'] };
  test('flags, values (separate or with =), repeatable values, positionals after --', () => {
    expect(parseArgs(['--lax', '-h', '--timeout=3', '--sanitize-with', 'a', '--sanitize-with=b', 'x.ipynb', '--', '--y'], spec)).toEqual({
      flags: { lax: true, h: true },
      values: { timeout: ['3'], 'sanitize-with': ['a', 'b'] },
      positionals: ['x.ipynb', '--y'],
    });
  });
  test('usage errors name the option', () => {
    const message = (argv: string[]) => {
      try {
        parseArgs(argv, spec);
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message(['--frobnicate'])).toBe('unknown option --frobnicate');
    expect(message(['--timeout'])).toBe('--timeout needs a value');
    expect(message(['--lax=1'])).toBe('--lax takes no value');
    expect(message(['--timeout', '1', '--timeout', '2'])).toBe('--timeout given twice');
  });
});

describe('markers', () => {
  test('comment markers on a line of their own, with # or //', () => {
    expect(commentMarkers('# NBVAL_IGNORE_OUTPUT\nx')).toEqual({ check: false });
    expect(commentMarkers('  //  NBVAL_CHECK_OUTPUT  ')).toEqual({ check: true });
    expect(commentMarkers('## NBVAL_SKIP')).toEqual({ skip: true });
    expect(commentMarkers('x = 1  # NBVAL_SKIP')).toEqual({}); // not on its own line
    expect(commentMarkers('# NBVAL_SKIP please')).toEqual({});
    expect(commentMarkers('// NBVAL_RAISES_EXCEPTION')).toEqual({ raises: true });
  });
  test('tags, and comments winning over tags', () => {
    expect(cellOptions(code('x', ['nbval-skip']))).toMatchObject({ skip: true });
    expect(cellOptions(code('x', ['raises-exception']))).toMatchObject({ raises: true });
    expect(cellOptions(code('x', ['nbval-raises-exception']))).toMatchObject({ raises: true });
    expect(cellOptions(code('# NBVAL_CHECK_OUTPUT', ['nbval-ignore-output'])).check).toBe(true);
  });
  test('lax mode compares only marked cells', () => {
    expect(shouldCheck(cellOptions(code('x')), true)).toBe(false);
    expect(shouldCheck(cellOptions(code('x')), false)).toBe(true);
    expect(shouldCheck(cellOptions(code('x', ['nbval-check-output'])), true)).toBe(true);
    expect(shouldCheck(cellOptions(code('# NBVAL_IGNORE_OUTPUT')), false)).toBe(false);
  });
});

describe('sanitize', () => {
  test('parses nbval sanitize files (sections, regex/replace pairs)', () => {
    const text = '[a]\nregex: Time : \\d+s\nreplace: Time : T\n\n[b]\nregex: (?P<w>\\w+)@x\nreplace: \\g<w>@HOST\n';
    expect(parseSanitizeFile(text)).toEqual([
      { regex: 'Time : \\d+s', replace: 'Time : T' },
      { regex: '(?P<w>\\w+)@x', replace: '\\g<w>@HOST' },
    ]);
  });
  test('translates Python regex and replacement syntax', () => {
    expect('ab ab'.replace(pythonRegex('(?P<x>a)(?P=x)?b'), pythonReplacement('[\\g<x>]'))).toBe('[a] [a]');
    expect('a1'.replace(pythonRegex('(a)(\\d)'), pythonReplacement('\\2\\1$'))).toBe('1a$');
    expect('AbC'.replace(pythonRegex('(?i)abc'), 'x')).toBe('x');
  });
  test("a regex repeated in a sanitize file keeps its last replacement, in its first place (nbval's test_plugin.py)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nbval-sanitize-'));
    try {
      const file = path.join(dir, 'repeat.cfg');
      writeFileSync(file, "[Section1]\nregex: foo\nreplace: bar1\n\nregex: bar\\d\nreplace: X\n\n[Section2 (overwrites regex 'foo')]\nregex: foo\nreplace: bar2\n");
      expect(parseSanitizeFile(readFileSync(file, 'utf8')).map((p) => [p.regex, p.replace])).toEqual([['foo', 'bar1'], ['bar\\d', 'X'], ['foo', 'bar2']]);
      const sanitizer = createSanitizer({ files: [file], addresses: false });
      expect(sanitizer.patterns.map((p) => [p.regex.source, p.replace])).toEqual([['foo', 'bar2'], ['bar\\d', 'X']]);
      // foo → bar2 first, then bar\d → X: nbval's OrderedDict order.
      expect(sanitizer.apply('foo bar1')).toBe('X X');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('masks addresses unless turned off, then applies file patterns', () => {
    expect(createSanitizer().apply('<Future at 0x7f3a9c state=running>')).toBe('<Future at 0xADDRESS state=running>');
    expect(createSanitizer({ addresses: false }).apply('at 0x7f3a9c')).toBe('at 0x7f3a9c');
  });
});

describe('diff and compare', () => {
  test('unified diff puts removed before added lines with context', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n')).toBe('--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c');
    expect(unifiedDiff('a\n', 'a')).toContain('\\ No newline at end of file');
  });
  const s = (text: string, name: 'stdout' | 'stderr' = 'stdout'): NbOutput => ({ output_type: 'stream', name, text });
  const options = { sanitizer: createSanitizer() };
  test('streams split differently compare equal; metadata, counts and tracebacks are ignored', () => {
    expect(compareOutputs([s('a\nb\n')], [s('a\n'), s('b\n')], options)).toEqual([]);
    const r = (n: number, tb: string): NbOutput[] => [
      { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: { n }, execution_count: n },
      { output_type: 'error', ename: 'E', evalue: 'v', traceback: [tb] },
    ];
    expect(compareOutputs(r(1, 'x'), r(2, 'y'), options)).toEqual([]);
  });
  test('streams coalesce per name wherever they occur; the order between different fields does not count', () => {
    expect(compareOutputs([s('Bar!\nFoo!\n', 'stderr'), s('Combo\n')], [s('Bar!\n', 'stderr'), s('Combo\n'), s('Foo!\n', 'stderr')], options)).toEqual([]);
    const result: NbOutput = { output_type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, execution_count: 1 };
    expect(compareOutputs([result, s('a\n')], [s('a\n'), result], options)).toEqual([]);
    expect(compareOutputs([s('a\nb\n')], [s('b\n'), s('a\n')], options).map((m) => m.field)).toEqual(['stdout']);
  });
  test('carriage returns overwrite the line, backspaces delete, as a terminal or JupyterLab shows them', () => {
    expect(applyControlCharacters('10%\r100%\n')).toBe('100%\n');
    expect(applyControlCharacters('abcdef\rxyz\n')).toBe('xyzdef\n');
    expect(applyControlCharacters('ab\bc\n')).toBe('ac\n');
    expect(applyControlCharacters('ab\b\b\n')).toBe('\n');
    expect(applyControlCharacters('a\r\nb')).toBe('a\nb');
    expect(compareOutputs([s('xyzdef\n')], [s('abcdef\r'), s('xyz\n')], options)).toEqual([]);
  });
  test('every mimetype is compared but PNG/JPEG images and widget views', () => {
    const data = (d: IMimeBundle): NbOutput => ({ output_type: 'display_data', data: d, metadata: {} });
    for (const mime of ['application/javascript', 'text/latex', 'text/html', 'image/svg+xml']) {
      expect(compareOutputs([data({ [mime]: 'a' })], [data({ [mime]: 'b' })], options).map((m) => m.field)).toEqual([mime]);
    }
    const view = 'application/vnd.jupyter.widget-view+json';
    expect(compareOutputs([data({ [view]: { model_id: 'a' }, 'image/jpeg': 'x' })], [data({ [view]: { model_id: 'b' }, 'image/jpeg': 'y' })], options)).toEqual([]);
    expect(compareOutputs([data({ 'application/json': { a: 1 } })], [data({ 'application/json': { a: 2 } })], options)).toHaveLength(1);
  });
  test('images only with checkImages; mismatches name the field as nbval does', () => {
    const img = (png: string): NbOutput => ({ output_type: 'display_data', data: { 'image/png': png }, metadata: {} });
    expect(compareOutputs([img('AAA')], [img('BBB')], options)).toEqual([]);
    expect(compareOutputs([img('AAA')], [img('BBB')], { ...options, checkImages: true })).toHaveLength(1);
    const [m] = compareOutputs([s('x\n'), s('e\n', 'stderr')], [s('x\n')], options);
    expect(m.field).toBe('stderr');
    expect(m.message).toMatch(/^Missing output fields from running code: stderr\n--- expected \(stored stderr\)\n\+\+\+ actual \(fresh stderr\)\n@@ -1,1 \+0,0 @@\n-e$/);
  });
});

describe('notebook format', () => {
  test('splitlines like Python and stored/fresh round trip', () => {
    expect(splitLines('a\nb\r\nc')).toEqual(['a\n', 'b\r\n', 'c']);
    expect(splitLines('')).toEqual([]);
    const out: NbOutput = { output_type: 'execute_result', data: { 'text/plain': 'x\ny', 'application/json': { a: 1 } }, metadata: {}, execution_count: 3 };
    const stored = toStoredOutput(out);
    expect(Object.keys(stored)).toEqual(['data', 'execution_count', 'metadata', 'output_type']);
    expect(stored.data).toEqual({ 'application/json': { a: 1 }, 'text/plain': ['x\n', 'y'] });
    expect(fromStoredOutput(stored)).toEqual(out);
  });
  test('serializes with the file indentation and trailing newline', () => {
    const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
    expect(serializeNotebook({ notebook, indent: 1, trailingNewline: true })).toBe('{\n "nbformat": 4,\n "nbformat_minor": 5,\n "metadata": {},\n "cells": []\n}\n');
  });
});

describe('output collection (nbclient semantics)', () => {
  test('merges streams, applies display updates and clear_output(wait)', () => {
    const c = new OutputCollector();
    c.handle('stream', { name: 'stdout', text: 'a' });
    c.handle('stream', { name: 'stdout', text: 'b\n' });
    c.handle('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } });
    c.handle('update_display_data', { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'd' } });
    expect(c.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
    ]);
    c.handle('clear_output', { wait: true });
    expect(c.outputs).toHaveLength(2);
    c.handle('stream', { name: 'stderr', text: 'e' });
    expect(c.outputs).toEqual([{ output_type: 'stream', name: 'stderr', text: 'e' }]);
    c.handle('clear_output', { wait: false });
    expect(c.outputs).toEqual([]);
    expect(c.handle('status', { execution_state: 'idle' })).toBe(false);
  });
});

describe('discovery and jest options', () => {
  const fixtures = path.join(__dirname, 'fixtures');
  test('folders recurse for notebooks, skipping executed copies and checkpoints', () => {
    const found = findNotebooks([path.join(fixtures, 'python')]).map((f) => path.relative(fixtures, f));
    expect(found).toContain(path.join('python', 'pass', 'basics.ipynb'));
    expect(found.every((f) => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb'))).toBe(true);
  });
  test('the sanitize file next to the notebook is used by default; env overrides globals', () => {
    const nb = path.join(fixtures, 'python', 'sanitize', 'timing.ipynb');
    expect(resolveOptions(nb, {}).sanitizeFiles).toEqual([path.join(fixtures, 'python', 'sanitize', 'timing.sanitize.cfg')]);
    expect(resolveOptions(path.join(fixtures, 'python', 'lax', 'lax.ipynb'), {}, fixtures).sanitizeFiles).toEqual([]);
    process.env.NBVAL_LAX = '1';
    try {
      expect(resolveOptions(nb, { lax: false }).lax).toBe(true);
    } finally {
      delete process.env.NBVAL_LAX;
    }
    expect(resolveOptions(nb, { lax: true, timeout: 9 })).toMatchObject({ lax: true, timeout: 9, update: false });
  });
});
