/** What a code cell printed, as lines, from its nbformat outputs (stored or fresh). */
import type { CellLines } from './compare';

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

const joined = (x: unknown): string => (Array.isArray(x) ? x.join('') : String(x ?? ''));

export function outputLines(outputs: Output[]): CellLines {
  let text = '';
  for (const o of outputs) {
    if (o.output_type === 'stream') text += joined(o.text);
    else if (o.output_type === 'error') text += `${o.ename}: ${o.evalue}\n`;
    else if (o.data && 'text/plain' in o.data) text += joined(o.data['text/plain']) + '\n';
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface NotebookJson {
  metadata: { kernelspec?: { name: string } };
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
}

export function codeCells(nb: NotebookJson): { source: string; outputs: Output[] }[] {
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => ({ source: joined(c.source), outputs: c.outputs ?? [] }));
}
