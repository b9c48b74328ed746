/**
 * `rediss://user:pass@host:port`: a redis-server with TLS (certificate made here with openssl, for 127.0.0.1) and an
 * ACL user instead of the default one; a worker and a client reach it through the URL and the CA file only.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionError, DistributedExecutor } from '../../runtime/distributed';
import { freePort, startRedisServer, type RedisServer } from '../../runtime/distributed/redis-server';
import { copyPackage, startWorker } from './helpers';
import { square } from './fixture';

jest.setTimeout(60_000);

const KEY = crypto.randomBytes(24).toString('hex');
const PASSWORD = crypto.randomBytes(12).toString('hex');
let dir: string;
let copy: string;
let redis: RedisServer;
let tlsPort: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'ca.pem')], { stdio: 'ignore' });
  copy = copyPackage();
  tlsPort = await freePort();
  // The plain port only answers the start-up check: with the default user off, it serves nobody.
  redis = await startRedisServer('redis-server', undefined, ['--tls-port', String(tlsPort),
    '--tls-cert-file', path.join(dir, 'ca.pem'), '--tls-key-file', path.join(dir, 'key.pem'),
    '--tls-ca-cert-file', path.join(dir, 'ca.pem'), '--tls-auth-clients', 'no',
    '--user', 'default', 'off', '--user', 'tsf', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
});

afterAll(async () => {
  await redis?.stop();
  for (const d of [dir, copy]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

test('submit -> result through rediss:// with a user and password; the CA is needed and the password never shows', async () => {
  const url = `rediss://tsf:${PASSWORD}@127.0.0.1:${tlsPort}`;
  const ca = path.join(dir, 'ca.pem');
  const worker = startWorker(copy, { url, queue: 'tls', key: KEY, args: ['--tls-ca-file', ca] });
  try {
    await worker.ready;
    expect(worker.stderr()).toContain(`at rediss://tsf:***@127.0.0.1:${tlsPort}`);
    await using dx = await DistributedExecutor.connect({ url, queue: 'tls', key: KEY, tls_ca_file: ca });
    expect(await dx.submit(square, 7).result()).toBe(49);

    // Without the CA the server's certificate is not trusted: ConnectionError at once (retries cannot help), the
    // password hidden.
    const started = Date.now();
    const untrusted = await DistributedExecutor.connect({ url, queue: 'tls', key: KEY }).then(() => null, (e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(untrusted).toBeInstanceOf(ConnectionError);
    expect((untrusted as Error).message).toMatch(new RegExp(`^cannot reach Redis at rediss://tsf:\\*\\*\\*@127\\.0\\.0\\.1:${tlsPort}: .*self[- ]signed`));
    expect((untrusted as Error).message).not.toContain(PASSWORD);
    expect(worker.stderr()).not.toContain(PASSWORD);
  } finally {
    await worker.stop();
  }
});
