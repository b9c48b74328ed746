/**
 * Binary values in widget state (protocol 2: any nested value may be binary): on the wire they leave the JSON state,
 * travel as buffers, and `buffer_paths` says where each one goes back. ipywidgets' _remove_buffers / _put_buffers.
 */

export type Path = Array<string | number>;

function isBinary(x: unknown): x is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(x) || x instanceof ArrayBuffer;
}

function bytes(x: ArrayBufferView | ArrayBuffer): Uint8Array {
  return x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** Splits state into JSON (binary values removed from objects, null in lists) and the buffers with their paths. */
export function removeBuffers(state: Record<string, unknown>): { state: Record<string, unknown>; buffer_paths: Path[]; buffers: Uint8Array[] } {
  const buffer_paths: Path[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: Path): unknown => {
    if (Array.isArray(value)) {
      return value.map((v, i) => {
        if (!isBinary(v)) return walk(v, [...path, i]);
        buffer_paths.push([...path, i]);
        buffers.push(bytes(v));
        return null;
      });
    }
    if (value && typeof value === 'object' && !isBinary(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (isBinary(v)) {
          buffer_paths.push([...path, k]);
          buffers.push(bytes(v));
        } else out[k] = walk(v, [...path, k]);
      }
      return out;
    }
    return value;
  };
  return { state: walk(state, []) as Record<string, unknown>, buffer_paths, buffers };
}

/** Puts received buffers back into the state at their paths (in place). */
export function putBuffers(state: Record<string, unknown>, buffer_paths: unknown, buffers: Uint8Array[]): void {
  if (!Array.isArray(buffer_paths)) return;
  buffer_paths.forEach((path: Path, i) => {
    if (!Array.isArray(path) || !path.length || i >= buffers.length) return;
    let obj: any = state;
    for (const key of path.slice(0, -1)) obj = obj?.[key];
    if (obj && typeof obj === 'object') obj[path[path.length - 1]] = buffers[i];
  });
}
