/** Executes a notebook's code cells top to bottom on a fresh kernel and returns each cell's printed lines. */
import * as path from 'node:path';
import { KernelManager } from '../../nbval/client/manager';
import type { KernelSpec } from '../../nbval/client/kernelspecs';
import { codeCells, outputLines, type NotebookJson } from './outputs-text';
import type { CellLines } from './compare';

export async function runNotebook(notebookPath: string, nb: NotebookJson, spec: KernelSpec, cellTimeoutSeconds: number): Promise<CellLines[]> {
  const manager = new KernelManager(spec, { cwd: path.dirname(notebookPath), startTimeout: 60 });
  const client = await manager.start();
  try {
    const results: CellLines[] = [];
    for (const cell of codeCells(nb)) {
      const { outputs } = await client.execute(cell.source, { timeout: cellTimeoutSeconds });
      results.push(outputLines(outputs as never));
    }
    return results;
  } finally {
    // The deadlock cells leave tasks blocked forever (threads in Python): only a kernel shutdown ends them.
    await manager.shutdown({ waitSeconds: 3 });
  }
}
