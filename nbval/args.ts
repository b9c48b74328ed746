/** Command-line parsing for the two CLIs on node:util parseArgs: `--flag`, `--opt VALUE`, `--opt=VALUE`, positionals. */
import { parseArgs as parseArgv } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Flags without a value (a one-letter name is also accepted as `-x`). */
  booleans: readonly string[];
  /** Flags taking a value; listed in `repeatable` to collect several. */
  values: readonly string[];
  repeatable?: readonly string[];
}

export interface ParsedArgs {
  flags: Record<string, boolean>;
  values: Record<string, string[]>;
  positionals: string[];
}

type OptionConfig = { type: 'boolean' | 'string'; multiple?: boolean; short?: string };

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const options: Record<string, OptionConfig> = {};
  for (const name of spec.booleans) options[name] = name.length === 1 ? { type: 'boolean', short: name } : { type: 'boolean' };
  for (const name of spec.values) options[name] = { type: 'string', multiple: true };
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }));
  }
  const result: ParsedArgs = { flags: {}, values: {}, positionals: parsed.positionals };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'boolean') result.flags[name] = value;
    else if (Array.isArray(value)) {
      if (value.length > 1 && !spec.repeatable?.includes(name)) throw new UsageError(`--${name} given twice`);
      result.values[name] = value.map(String);
    }
  }
  return result;
}

/** parseArgs' errors in the CLIs' short wording, naming the option. */
function usageMessage(error: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
    if (/ambiguous/.test(error.message)) return `${option} needs a value (write ${option}=VALUE for one that starts with "-")`;
    return `${option} needs a value`;
  }
  return error.message;
}

/** A positive number of seconds, or a usage error naming the flag. */
export function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} needs a positive number of seconds, got ${JSON.stringify(value)}`);
  return n;
}
