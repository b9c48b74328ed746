/**
 * Deno's `npm:` specifiers (`npm:chalk@5`, `npm:@scope/pkg@^1.2/sub/path`) in cells. Nothing is downloaded: the
 * specifier means the package installed where the notebook would find it, and a version that the installed one
 * does not satisfy is an error naming both (cell-modules.ts). The type checker resolves the same bare name
 * (project.ts), so both halves agree on which package a cell gets.
 */
export interface NpmSpecifier {
  /** The package's name, `@scope/name` included. */
  name: string;
  /** The version or range after `@`, undefined when none was given. */
  range: string | undefined;
  /** The bare specifier Node would be given: the name plus any subpath. */
  bare: string;
}

const NPM = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/;

/** The parts of an `npm:` specifier, or undefined when `specifier` is not one. */
export function parseNpmSpecifier(specifier: string): NpmSpecifier | undefined {
  if (!specifier.startsWith('npm:')) return undefined;
  const match = NPM.exec(specifier);
  if (!match) return undefined;
  const [, name, range, subpath = ''] = match;
  return { name, range: range || undefined, bare: name + subpath };
}
