// Top-level functions over buffers, submitted to pools by data.test.ts (registered as a shipping scope).
import { registerShippingScope } from '../../../runtime/futures/shipping';

export function markShared(view: Float64Array, value: number): number {
  view[0] = value;
  return view.length;
}

export function readFirst(buffer: SharedArrayBuffer): number {
  return new Float64Array(buffer)[0]!;
}

export function sumBytes(data: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  return s;
}

export function makeBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4099) out[i] = i % 251;
  return out;
}

registerShippingScope(module.exports);
