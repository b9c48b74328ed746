/**
 * Reading and writing .ipynb files (nbformat 4) the way Jupyter does: multi-line strings stored as
 * lists of lines, 1-space indentation, sorted keys for what we create, a trailing newline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ICell, ICodeCell, IMimeBundle, INotebookContent, IOutput, MultilineString, OutputMetadata } from '@jupyterlab/nbformat';
import type { NbOutput } from './client/outputs';

/** A cell as stored in an .ipynb file (JupyterLab's nbformat types). */
export type Cell = ICell;

export function isCodeCell(cell: ICell): cell is ICodeCell {
  return cell.cell_type === 'code';
}

export interface LoadedNotebook {
  path: string;
  notebook: INotebookContent;
  /** The indentation the file was written with, so --update keeps its formatting. */
  indent: number;
  trailingNewline: boolean;
}

/** A notebook that cannot be used; `message` is the one-line reason. */
export class NotebookError extends Error {
  override name = 'NotebookError';
}

export function joinLines(text: MultilineString | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

/** Python's str.splitlines(keepends=True) for the line breaks notebooks contain. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n\r]*(?:\r\n|\n|\r)|[^\n\r]+$/g) ?? [];
}

export function loadNotebook(path: string): LoadedNotebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NotebookError(`${path}: cannot read: ${(e as Error).message}`);
  }
  let notebook: INotebookContent;
  try {
    notebook = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof notebook !== 'object' || notebook === null || !Array.isArray(notebook.cells)) {
    throw new NotebookError(`${path}: not a notebook (no "cells" list)`);
  }
  if (notebook.nbformat !== 4) throw new NotebookError(`${path}: nbformat ${notebook.nbformat} is not supported (need 4)`);
  notebook.metadata ??= {};
  const indent = /^\{\r?\n( +)"/.exec(text)?.[1].length ?? 1;
  return { path, notebook, indent, trailingNewline: text.endsWith('\n') };
}

export function kernelNameOf(notebook: INotebookContent): string | undefined {
  return notebook.metadata?.kernelspec?.name;
}

/** Mimetypes whose value nbformat keeps as a JSON value rather than text lines. */
function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

function sortKeys<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

/** A fresh kernel output in the form nbformat stores it (keys sorted, text split into lines). */
export function toStoredOutput(output: NbOutput): IOutput {
  switch (output.output_type) {
    case 'stream':
      return sortKeys({ output_type: 'stream', name: output.name, text: splitLines(output.text) });
    case 'error':
      return sortKeys({ output_type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback });
    default: {
      const data = sortKeys(
        Object.fromEntries(Object.entries(output.data).map(([mime, v]) => [mime, typeof v === 'string' && !isJsonMime(mime) ? splitLines(v) : v])),
      );
      const stored: IOutput = { output_type: output.output_type, data: data as IMimeBundle, metadata: output.metadata as IOutput['metadata'] };
      if (output.output_type === 'execute_result') stored.execution_count = output.execution_count ?? null;
      return sortKeys(stored);
    }
  }
}

/** The stored output back as a kernel output (text joined), so both sides compare alike. */
export function fromStoredOutput(stored: IOutput): NbOutput {
  switch (stored.output_type) {
    case 'stream':
      return { output_type: 'stream', name: stored.name as 'stdout' | 'stderr', text: joinLines(stored.text as MultilineString) };
    case 'error':
      return { output_type: 'error', ename: String(stored.ename ?? ''), evalue: String(stored.evalue ?? ''), traceback: (stored.traceback as string[]) ?? [] };
    default: {
      const data: IMimeBundle = Object.fromEntries(
        Object.entries((stored.data as IMimeBundle) ?? {}).map(([mime, v]) => [mime, Array.isArray(v) && !isJsonMime(mime) ? v.join('') : v]),
      );
      const metadata = (stored.metadata as OutputMetadata) ?? {};
      return stored.output_type === 'execute_result'
        ? { output_type: 'execute_result', data, metadata, execution_count: stored.execution_count as number | null }
        : { output_type: stored.output_type as 'display_data', data, metadata };
    }
  }
}

export function serializeNotebook(loaded: Pick<LoadedNotebook, 'notebook' | 'indent' | 'trailingNewline'>): string {
  return JSON.stringify(loaded.notebook, null, loaded.indent) + (loaded.trailingNewline ? '\n' : '');
}

export function saveNotebook(path: string, loaded: Pick<LoadedNotebook, 'notebook' | 'indent' | 'trailingNewline'>): void {
  writeFileSync(path, serializeNotebook(loaded));
}

/** Puts fresh outputs into a code cell in place, keeping its id, metadata, source and key order. */
export function setCellOutputs(cell: ICodeCell, outputs: NbOutput[], executionCount: number | null): void {
  cell.outputs = outputs.map(toStoredOutput);
  cell.execution_count = executionCount;
}
