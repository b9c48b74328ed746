/** Test helpers: parse SVG with CPython's XML parser (a real well-formedness check) and count elements by class. */
import { spawnSync } from 'node:child_process';

export function assertWellFormedXml(svg: string): void {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import xml.dom.minidom,sys; xml.dom.minidom.parseString(sys.stdin.buffer.read())'], {
    input: svg,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`SVG is not well-formed XML:\n${r.stderr}`);
}

/** Elements whose class attribute contains all the given class names. */
export function withClass(svg: string, ...classes: string[]): string[] {
  return [...svg.matchAll(/<[a-z]+\b[^>]*\bclass="([^"]*)"[^>]*>/g)]
    .filter((m) => classes.every((c) => m[1].split(' ').includes(c)))
    .map((m) => m[0]);
}
