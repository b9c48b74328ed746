/**
 * What travels through Redis between a DistributedExecutor (the client) and `tsfutures worker` processes, besides
 * BullMQ's own job bookkeeping: the signed job payload, the client's inbox of worker notices, and the key names.
 *
 * A job's data is `{ p, s }`: `p` the JSON text of a Call, `s` its HMAC-SHA256 under the cluster key, over the job
 * id and `p` (so a signed payload cannot be replayed under another id). Workers verify it before parsing `p`.
 * Workers answer through the client's inbox (a Redis list the client pops), so results never sit in BullMQ's
 * job hashes or event stream, and leave Redis as soon as the client has them.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** A call as the codec encodes it: a shipped function and its v8-serialized arguments (base64). */
export interface EncodedCall {
  /** [bundle id, code, base64 of the v8-serialized constants or null] */
  f: [string, string, string | null];
  /** base64 of the v8-serialized argument list (or, for a map chunk, of its columns) */
  a: string;
  /** 1 when `a` holds a map() chunk's columns */
  k: 0 | 1;
}

export interface Call extends EncodedCall {
  /** The function's name, for messages. */
  t: string;
  /** How many workers the task may kill (die while running it) before it fails with BrokenExecutor. */
  m: number;
}

export interface JobData {
  p: string;
  s: string;
}

/**
 * A worker's notice to a client: [task number, kind, payload, worker name].
 * A asks to run a job it claimed (payload: [the worker's answer list, where the client pushes `[job id, 1 | 0]`,
 * 1 when its thread is free so that the task starts on the answer]) · S started (sent when it did not start on the
 * answer) · R result (encoded value) · E error (encoded error) · B broken (killed max_attempts workers) ·
 * X rejected (bad signature).
 */
export type Notice = [seq: number, kind: 'A' | 'S' | 'R' | 'E' | 'B' | 'X', payload: unknown, worker: string];
export type Answer = [jobId: string, go: 0 | 1];

export const DEFAULT_QUEUE = 'tsfutures';
export const DEFAULT_URL = 'redis://127.0.0.1:6379';
/** Seconds a client's liveness key lives without a heartbeat: its queued jobs are dropped after that. */
export const CLIENT_TTL_S = 30;
export const HEARTBEAT_MS = 5_000;

export const inboxKey = (queue: string, client: string): string => `tsf:${queue}:${client}:inbox`;
export const aliveKey = (queue: string, client: string): string => `tsf:${queue}:${client}:alive`;
/** A worker process's list of answers to its 'A' notices. */
export const answersKey = (queue: string, worker: string): string => `tsf:${queue}:worker:${worker}:answers`;
export const jobIdOf = (client: string, seq: number): string => `${client}-${seq}`;

export function parseJobId(id: string): { client: string; seq: number } | undefined {
  const m = /^([0-9a-f]{16})-(\d+)$/.exec(id);
  return m ? { client: m[1]!, seq: Number(m[2]) } : undefined;
}

export function newClientId(): string {
  return crypto.randomBytes(8).toString('hex');
}

function mac(key: Buffer, jobId: string, payload: string): Buffer {
  return crypto.createHmac('sha256', key).update(jobId).update('\n').update(payload).digest();
}

export function sign(key: Buffer, jobId: string, call: Call): JobData {
  const p = JSON.stringify(call);
  return { p, s: mac(key, jobId, p).toString('base64') };
}

/** The Call of a job whose signature checks out under `key`, else undefined. */
export function verify(key: Buffer, jobId: string, data: unknown): Call | undefined {
  const d = data as Partial<JobData> | null;
  if (!d || typeof d.p !== 'string' || typeof d.s !== 'string') return undefined;
  const given = Buffer.from(d.s, 'base64');
  const expected = mac(key, jobId, d.p);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  return JSON.parse(d.p) as Call;
}

export const KEY_ENV = 'TSFUTURES_CLUSTER_KEY';

export class MissingKeyError extends Error {}

/** The cluster key from a key file or TSFUTURES_CLUSTER_KEY; never echoed in any message. */
export function readClusterKey(keyFile?: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  let text: string | undefined;
  if (keyFile !== undefined) {
    try {
      text = fs.readFileSync(keyFile, 'utf8').trim();
    } catch (e) {
      throw new MissingKeyError(`cannot read the key file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!text) throw new MissingKeyError(`the key file ${keyFile} is empty`);
  } else {
    text = env[KEY_ENV]?.trim();
    if (!text) {
      throw new MissingKeyError(`no cluster key: the queue carries code, so workers only run jobs signed with the ` +
        `cluster key. Set ${KEY_ENV} or pass --key-file FILE (the same key as the clients').`);
    }
  }
  if (text.length < 16) throw new MissingKeyError('the cluster key is too short: use at least 16 characters (e.g. `openssl rand -hex 32`)');
  return Buffer.from(text, 'utf8');
}

/**
 * ioredis options for a `rediss://` URL whose server certificate is signed by a private CA (PEM text), which Node
 * would otherwise not trust; nothing for a plain URL.
 */
export function tlsOptions(url: string, caPem: string | undefined): { tls?: { ca: string } } {
  return caPem !== undefined && url.startsWith('rediss://') ? { tls: { ca: caPem } } : {};
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}
