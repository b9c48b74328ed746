import { builtinTsfuturesSpec, type KernelSpec } from '../../kernel/client/kernelspecs';
import { kernelJson } from '../../kernel/kernelspec';

/** Our kernel as `tsfutures install` would start it (kernel.json's argv), not the built-in fallback spec. */
export function installedSpec(): KernelSpec {
  return { ...builtinTsfuturesSpec(), argv: kernelJson().argv };
}
