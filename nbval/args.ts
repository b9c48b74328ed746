/** A tiny flag parser for the two CLIs: `--flag`, `--opt VALUE`, `--opt=VALUE`, positionals. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Flags without a value. */
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

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const parsed: ParsedArgs = { flags: {}, values: {}, positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    if (spec.booleans.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      parsed.flags[name] = true;
    } else if (spec.values.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (parsed.values[name] && !spec.repeatable?.includes(name)) throw new UsageError(`--${name} given twice`);
      (parsed.values[name] ??= []).push(value);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return parsed;
}

/** A positive number of seconds, or a usage error naming the flag. */
export function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} needs a positive number of seconds, got ${JSON.stringify(value)}`);
  return n;
}
