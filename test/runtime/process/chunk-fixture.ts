// Functions map(chunksize=...) ships in test_map_chunks; registered as a shipping scope like fixture.ts.
import { registerShippingScope } from '../../../runtime/futures/shipping';

export function tenTimesUnlessFive(x: number): number {
  if (x === 5) throw new RangeError('five');
  return x * 10;
}

export function power(base: number, exp: number): number {
  return base ** exp;
}

export async function later(x: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return x + 1;
}

export function sleepThen(ms: number): number {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
}

registerShippingScope(module.exports);
