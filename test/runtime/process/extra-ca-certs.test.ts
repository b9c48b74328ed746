/**
 * A process-pool worker's NODE_EXTRA_CA_CERTS (runtime/futures/extra-ca-certs.ts): only the certificates node does not
 * bundle, so that its boot does not parse node's roots a second time, and TLS in a task trusts what it trusted before.
 * tls/cert.pem is a self-signed certificate (CN "tsfutures test CA", for 127.0.0.1) that no bundle holds.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { withLeanExtraCaCerts } from '../../../runtime/futures/extra-ca-certs';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';

const TEST_CA = fs.readFileSync(path.join(__dirname, 'tls', 'cert.pem'), 'latin1');
const TEST_KEY = fs.readFileSync(path.join(__dirname, 'tls', 'key.pem'), 'latin1');
const [ROOT_A, ROOT_B] = tls.rootCertificates as [string, string];

/** A certificate's content, whatever its line breaks. */
const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

let dir: string;
const saved = { cache: process.env.XDG_CACHE_HOME, extra: process.env.NODE_EXTRA_CA_CERTS };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-extra-ca-'));
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
});

afterAll(() => {
  for (const [name, value] of [['XDG_CACHE_HOME', saved.cache], ['NODE_EXTRA_CA_CERTS', saved.extra]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A bundle file of these PEM blocks, as /etc/ssl/certs/ca-certificates.crt is one. */
function bundle(name: string, ...blocks: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, blocks.map((b) => `# a comment line, as bundles have\n${b.trim()}\n`).join(''));
  return file;
}

test('certificates node bundles are left out of the worker\'s file, the others kept; the file is computed once', () => {
  const file = bundle('mixed.crt', ROOT_A, TEST_CA, ROOT_B);
  const env = withLeanExtraCaCerts({ NODE_EXTRA_CA_CERTS: file, OTHER: 'x' });
  const lean = env.NODE_EXTRA_CA_CERTS!;
  expect(lean).not.toBe(file);
  expect(env.OTHER).toBe('x');
  const kept = fs.readFileSync(lean, 'latin1');
  expect(body(kept)).toBe(body(TEST_CA));
  fs.writeFileSync(lean, TEST_CA); // the cached file is used as it is, not computed again
  expect(withLeanExtraCaCerts({ NODE_EXTRA_CA_CERTS: file }).NODE_EXTRA_CA_CERTS).toBe(lean);
});

test('a bundle of node\'s own roots only: the worker gets no variable', () => {
  const env = withLeanExtraCaCerts({ NODE_EXTRA_CA_CERTS: bundle('roots.crt', ROOT_B, ROOT_A), OTHER: 'x' });
  expect(env).toEqual({ OTHER: 'x' });
});

test('a block it cannot read whole, a missing file or no variable: the environment as it is', () => {
  const odd = bundle('odd.crt', ROOT_A, '-----BEGIN CERTIFICATE-----\nAB-CD\n-----END CERTIFICATE-----');
  const env = { NODE_EXTRA_CA_CERTS: odd };
  expect(withLeanExtraCaCerts(env)).toBe(env);
  const missing = { NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.crt') };
  expect(withLeanExtraCaCerts(missing)).toBe(missing);
  const none = { OTHER: 'x' };
  expect(withLeanExtraCaCerts(none)).toBe(none);
});

test('a worker whose root store is not node\'s bundled roots (--use-openssl-ca) gets the variable as it is', () => {
  const env = { NODE_EXTRA_CA_CERTS: bundle('openssl-store.crt', ROOT_A, TEST_CA), NODE_OPTIONS: '--use-openssl-ca' };
  expect(withLeanExtraCaCerts(env)).toBe(env);
  expect(withLeanExtraCaCerts({ ...env, NODE_OPTIONS: '--use-bundled-ca' }).NODE_EXTRA_CA_CERTS).not.toBe(env.NODE_EXTRA_CA_CERTS);
});

/** In a worker: GETs the URL over HTTPS with node's default trust; its body and the worker's variable. */
function fetchText(url: string): Promise<[string, string | undefined]> {
  return new Promise((resolve, reject) => {
    const get = (require('node:https') as typeof https).get;
    get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve([text, process.env.NODE_EXTRA_CA_CERTS]));
    }).on('error', reject);
  });
}

test('a worker trusts the bundle\'s other certificates as before, from the lean file', async () => {
  const server = https.createServer({ key: TEST_KEY, cert: TEST_CA }, (_req, res) => res.end('trusted'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const file = bundle('server.crt', ROOT_A, TEST_CA);
  process.env.NODE_EXTRA_CA_CERTS = file;
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const [text, variable] = await pool.submit(fetchText, url).result();
    expect(text).toBe('trusted');
    expect(variable).not.toBe(file);
    expect(body(fs.readFileSync(variable!, 'latin1'))).toBe(body(TEST_CA));
  } finally {
    await pool.shutdown();
    server.close();
  }
}, 30_000);
