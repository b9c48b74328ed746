/**
 * NODE_EXTRA_CA_CERTS for a process-pool worker, without the certificates node bundles anyway.
 *
 * A node started with NODE_EXTRA_CA_CERTS builds its root store at boot (node 20): it parses its ~140 bundled roots
 * and every certificate of the file, while a node without the variable builds the store at its first TLS connection.
 * Environments that point the variable at the system bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates,
 * most of them node's own roots) so make every worker boot spend about a fifth of its CPU parsing certificates it
 * already has (docs/performance.md, "A process's first pool"). A worker gets instead a file of the certificates node
 * does not bundle, or no variable when there are none: the store it builds holds the same certificates, so TLS in a
 * task trusts exactly what it trusted before. A worker whose store does not start from node's roots (--use-openssl-ca)
 * keeps the variable as it is. The file is computed once per bundle and node binary and kept in the cache directory;
 * when it cannot be written the worker gets the variable unchanged.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const VARIABLE = 'NODE_EXTRA_CA_CERTS';
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[^-]*-----END \1-----/g;

/** The last answer, by the file's identity: a pool's workers all start with the same one. */
let memo: { key: string; lean: string | undefined } | undefined;

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tsfutures');
}

/** A certificate block's base64 content, whatever its line breaks. */
function body(block: string): string {
  return block.replace(/-----[A-Z0-9 ]+-----|\s/g, '');
}

/**
 * The blocks of `text` node does not bundle: certificates that are not among its roots, and any other block as is;
 * undefined when a block is not one this reads whole (then nothing may be dropped).
 */
function unbundled(text: string): string[] | undefined {
  const blocks = text.match(BLOCK) ?? [];
  if (blocks.length !== text.split('-----BEGIN ').length - 1) return undefined;
  const roots = new Set((require('node:tls') as typeof import('node:tls')).rootCertificates.map(body));
  return blocks.filter((block) => !block.startsWith('-----BEGIN CERTIFICATE-----') || !roots.has(body(block)));
}

/**
 * The file a worker's NODE_EXTRA_CA_CERTS names instead of `file` ('' when node bundles all of its certificates), or
 * undefined when it cannot be had (the worker then gets `file` itself).
 */
function leanFile(file: string, key: string): string | undefined {
  const lean = path.join(cacheDir(), `extra-ca-${key}.pem`);
  try {
    return fs.statSync(lean).size ? lean : '';
  } catch { /* not computed yet */ }
  try {
    const blocks = unbundled(fs.readFileSync(file, 'latin1'));
    if (!blocks) return undefined;
    fs.mkdirSync(path.dirname(lean), { recursive: true });
    // Written aside and renamed: a worker starting meanwhile in another process finds a whole file or none.
    const partial = `${lean}.${process.pid}`;
    fs.writeFileSync(partial, blocks.map((b) => `${b}\n`).join(''), 'latin1');
    fs.renameSync(partial, lean);
    return blocks.length ? lean : '';
  } catch {
    return undefined;
  }
}

/**
 * Whether a worker's root store starts from node's bundled roots, as the lean file assumes: not under
 * --use-openssl-ca, nor in a node built to use OpenSSL's store by default (unless --use-bundled-ca).
 */
function bundledRoots(env: NodeJS.ProcessEnv): boolean {
  const options = env.NODE_OPTIONS ?? '';
  if (options.includes('--use-openssl-ca')) return false;
  if (options.includes('--use-bundled-ca')) return true;
  const defines = (process.config.target_defaults as { defines?: unknown } | undefined)?.defines;
  return !(Array.isArray(defines) && defines.includes('NODE_OPENSSL_CERT_STORE'));
}

/** `env` with NODE_EXTRA_CA_CERTS naming only the certificates node does not bundle (see the header). */
export function withLeanExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env[VARIABLE];
  if (!file || !bundledRoots(env)) return env;
  let stat: fs.Stats;
  let node: fs.Stats;
  try {
    stat = fs.statSync(file);
    node = fs.statSync(process.execPath);
  } catch {
    return env; // node warns about a missing file at each start: the worker keeps doing so
  }
  // The worker runs this node binary (parent-watch.ts): its roots are the ones this process compared with.
  const identity = [process.version, process.execPath, node.mtimeMs, path.resolve(file), stat.size, stat.mtimeMs].join('\0');
  const key = createHash('sha1').update(identity).digest('hex').slice(0, 16);
  if (memo?.key !== key) memo = { key, lean: leanFile(file, key) };
  if (memo.lean === undefined) return env;
  const out = { ...env };
  if (memo.lean) out[VARIABLE] = memo.lean;
  else delete out[VARIABLE];
  return out;
}
