/**
 * Output sanitizing, applied to the stored and the fresh side alike before comparing. Patterns come
 * from files in nbval's format (`[section]` headers, then `regex: ...` / `replace: ...` line pairs,
 * Python `re` syntax); memory addresses are masked by default.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Sanitizer {
  readonly patterns: readonly { regex: RegExp; replace: string }[];
  apply(text: string): string;
}

/** `<Future at 0x7f3a...>` differs on every run; `0xADDRESS` does not. */
const ADDRESS = { regex: /0x[0-9a-fA-F]+/g, replace: '0xADDRESS' };

/** The regex/replace pairs of a sanitize file, in file order, repeats included (nbval: `^regex: (.*)$\n^replace: (.*)$`). */
export function parseSanitizeFile(text: string): { regex: string; replace: string }[] {
  const pairs: { regex: string; replace: string }[] = [];
  for (const m of text.matchAll(/^regex: (.*)$\r?\n^replace: (.*)$/gm)) pairs.push({ regex: m[1], replace: m[2] });
  return pairs;
}

/** Python `re` pattern → JavaScript RegExp (named groups, leading inline flags). */
export function pythonRegex(pattern: string): RegExp {
  let flags = 'g';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (inline) {
    pattern = pattern.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  pattern = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\Z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^(?<![\\s\\S])');
  return new RegExp(pattern, flags); // no 'u': Python patterns escape punctuation freely (\-, \:)
}

/** Python re.sub replacement → JavaScript replacement string (`\1`, `\g<name>`, escapes; `$` is literal). */
export function pythonReplacement(replace: string): string {
  return replace.replace(/\\(?:g<(\w+)>|(\d{1,2})|(.))|\$/gs, (all, group, number, escaped) => {
    if (all === '$') return '$$';
    if (group !== undefined) return /^\d+$/.test(group) ? `$${group}` : `$<${group}>`;
    if (number !== undefined) return `$${number}`;
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
    return escapes[escaped] ?? `\\${escaped}`;
  });
}

/**
 * The sanitize files used when none is named (by the CLI and the jest transform alike): the notebook's own
 * `<dir>/<name>.sanitize.cfg`, else a shared `<cwd>/notebooks/nbval.cfg`, else none.
 */
export function defaultSanitizeFiles(notebookPath: string, cwd = process.cwd()): string[] {
  const own = path.join(path.dirname(notebookPath), `${path.basename(notebookPath, '.ipynb')}.sanitize.cfg`);
  const shared = path.join(cwd, 'notebooks', 'nbval.cfg');
  return existsSync(own) ? [own] : existsSync(shared) ? [shared] : [];
}

/**
 * The sanitizer for the given files. As in nbval, a regex keeps one replacement: a later `regex:` line with the
 * same text replaces the earlier pair's replacement, in the earlier pair's place. Addresses are masked after the
 * files' patterns, so that those see the text nbval's would.
 */
export function createSanitizer({ files = [], addresses = true }: { files?: string[]; addresses?: boolean } = {}): Sanitizer {
  const byRegex = new Map<string, { regex: RegExp; replace: string }>();
  for (const file of files) {
    for (const { regex, replace } of parseSanitizeFile(readFileSync(file, 'utf8'))) {
      try {
        byRegex.set(regex, { regex: pythonRegex(regex), replace: pythonReplacement(replace) });
      } catch (e) {
        throw new Error(`${file}: bad regex ${JSON.stringify(regex)}: ${(e as Error).message}`);
      }
    }
  }
  const patterns = [...byRegex.values(), ...(addresses ? [ADDRESS] : [])];
  return {
    patterns,
    apply: (text) => patterns.reduce((s, p) => s.replace(p.regex, p.replace), text),
  };
}
