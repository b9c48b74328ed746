/**
 * nbval's per-cell switches, from comment markers in the source (`# NBVAL_SKIP`, or `// NBVAL_SKIP` in
 * TypeScript cells) and from cell tags (`nbval-skip`). As in nbval, comments win over tags.
 */
import { joinLines, type Cell } from './notebook';

export interface CellOptions {
  /** Compare outputs: true/false when a marker says so, undefined to follow lax mode. */
  check?: boolean;
  /** The cell is expected to raise. */
  raises: boolean;
  /** Do not run the cell at all. */
  skip: boolean;
}

type Switch = Partial<CellOptions>;

const MARKERS: Record<string, Switch> = {
  NBVAL_IGNORE_OUTPUT: { check: false },
  NBVAL_CHECK_OUTPUT: { check: true },
  NBVAL_RAISES_EXCEPTION: { raises: true },
  NBVAL_SKIP: { skip: true },
  PYTEST_VALIDATE_IGNORE_OUTPUT: { check: false }, // nbval keeps this old name working
};

const TAGS: Record<string, Switch> = {
  'nbval-ignore-output': { check: false },
  'nbval-check-output': { check: true },
  'nbval-raises-exception': { raises: true },
  'raises-exception': { raises: true },
  'nbval-skip': { skip: true },
};

/** Markers found on lines of their own: `#` or `//` (repeated or not), then the marker name. */
export function commentMarkers(source: string): Switch {
  const found: Switch = {};
  for (const line of source.split(/\r?\n|\r/)) {
    const match = /^(?:#+|\/\/+)\s*(\S+)$/.exec(line.trim());
    if (match && MARKERS[match[1]]) Object.assign(found, MARKERS[match[1]]);
  }
  return found;
}

export function tagMarkers(metadata: Record<string, any> | undefined): Switch {
  const found: Switch = {};
  const tags = metadata?.tags;
  if (!Array.isArray(tags)) return found;
  for (const tag of tags) if (TAGS[tag]) Object.assign(found, TAGS[tag]);
  return found;
}

export function cellOptions(cell: Cell): CellOptions {
  return { raises: false, skip: false, ...tagMarkers(cell.metadata), ...commentMarkers(joinLines(cell.source)) };
}

/** Whether outputs are compared for a cell: its marker decides, else everything in strict mode, nothing in lax mode. */
export function shouldCheck(options: CellOptions, lax: boolean): boolean {
  return options.check ?? !lax;
}
