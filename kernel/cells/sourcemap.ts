/**
 * Just enough of source maps (v3, single source) to map a stack frame in a cell's emitted JS back to the cell's
 * own line: decoded once per cell, looked up per frame.
 */
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Per generated line (0-based): segments [generatedColumn, sourceLine, sourceColumn], sorted by column. */
export type LineMappings = Array<Array<[number, number, number]>>;

/** The VLQ `mappings` string of a source map's JSON. */
export function mappingsOf(sourceMapJson: string): string {
  return String(JSON.parse(sourceMapJson).mappings ?? '');
}

/** `mappings`: the VLQ string of a source map (mappingsOf). */
export function decodeMappings(mappings: string): LineMappings {
  const lines: LineMappings = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      genCol += v[0];
      if (v.length >= 4) {
        // v[1] is the source index: a cell's map has a single source.
        srcLine += v[2];
        srcCol += v[3];
        segments.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) break;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** 1-based generated line/column (as in stack traces) -> 1-based source line, or undefined when unmapped. */
export function originalLine(map: LineMappings, line: number, column: number): number | undefined {
  const segments = map[line - 1];
  if (!segments?.length) return undefined;
  let best = segments[0];
  for (const s of segments) {
    if (s[0] <= column - 1) best = s;
    else break;
  }
  return best[1] + 1;
}
