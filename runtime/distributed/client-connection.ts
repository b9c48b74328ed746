/**
 * A DistributedExecutor's link to Redis: the command connection with BullMQ's Queue on it, a second connection for
 * the blocking pops of the inbox, and the heartbeat key that tells workers this client is alive. It turns ioredis'
 * retries and reconnections into the two things the executor acts on: Redis out of reach for good (after the
 * retries, about 4 s), and Redis back without this client's keys (restarted: the queued jobs are gone).
 * bullmq and ioredis load on first use: the package entry (and every notebook) stays quick to load.
 */
import type { Queue } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { ConnectionError } from './errors';
import { CLIENT_TTL_S, HEARTBEAT_MS, aliveKey, inboxKey, redactUrl, tlsOptions } from './protocol';
import { setInterval, clearInterval } from 'node:timers';

/** Reconnection attempts (about 4 s in all) before Redis counts as unreachable. */
const RECONNECT_ATTEMPTS = 8;

/** A server certificate this client does not trust: trying again cannot help. */
const untrusted = (e: Error | undefined): boolean =>
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test((e as NodeJS.ErrnoException | undefined)?.code ?? '');

export interface ConnectionEvents {
  /** Out of reach after the retries: the same error for every caller (ready(), futures, submit). */
  lost(error: ConnectionError): void;
  /** Reconnected to a Redis that lost this client's keys. */
  restarted(error: ConnectionError): void;
}

export class ClientConnection {
  readonly conn: Redis;
  /** For blocking pops only (a blocked connection cannot serve other commands). */
  readonly reader: Redis;
  readonly bull: Queue;
  /** Resolves once Redis answered; rejects with `lost` when it cannot be reached. */
  readonly ready: Promise<void>;
  /** Set once Redis is out of reach for good. */
  lost: ConnectionError | null = null;
  closing = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;
  private everReady = false;

  constructor(readonly url: string, readonly queue: string, readonly client: string, tlsCa: string | undefined,
    private readonly events: ConnectionEvents) {
    const IORedis = (require('ioredis') as typeof import('ioredis')).default;
    const { Queue } = require('bullmq') as typeof import('bullmq');
    const options: RedisOptions = {
      retryStrategy: (times) => (this.closing || times > RECONNECT_ATTEMPTS || untrusted(this.lastError) ? null : Math.min(100 * times, 1000)),
      connectTimeout: 3_000,
      ...tlsOptions(url, tlsCa),
    };
    this.conn = new IORedis(url, options);
    this.conn.on('error', (e: Error) => (this.lastError = e));
    this.conn.on('end', () => this.ended());
    this.conn.on('ready', () => this.reconnected());
    this.reader = new IORedis(url, { ...options, maxRetriesPerRequest: null });
    // The reader may be first to meet an untrusted certificate: then it must not retry either.
    this.reader.on('error', (e: Error) => { if (untrusted(e)) this.lastError = e; });
    this.bull = new Queue(queue, { connection: this.conn, streams: { events: { maxLen: 1_000 } } });
    this.bull.on('error', () => undefined);
    this.ready = (async () => {
      await this.beat();
      this.heartbeat = setInterval(() => {
        if (this.conn.status === 'ready') void this.beat().catch(() => undefined);
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    })().catch((e) => {
      throw this.fail(e);
    });
    this.ready.catch(() => undefined); // the executor reports it through ready(), futures and submit
  }

  /** This client is alive for CLIENT_TTL_S more seconds; so is its inbox (results not yet read). */
  private async beat(): Promise<void> {
    const replies = await this.conn.pipeline()
      .set(aliveKey(this.queue, this.client), '1', 'EX', CLIENT_TTL_S)
      .expire(inboxKey(this.queue, this.client), CLIENT_TTL_S * 4)
      .exec();
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0]; // a pipeline reports its commands' errors in its replies, not by rejecting
  }

  /** The error for a failed command: `lost` once known, else one naming Redis and why. */
  error(e?: unknown): ConnectionError {
    if (this.lost) return this.lost;
    if (e instanceof ConnectionError) return e;
    const why = this.lastError?.message ?? (e as Error | undefined)?.message ?? 'connection closed';
    return new ConnectionError(`cannot reach Redis at ${redactUrl(this.url)}: ${why}`);
  }

  /** Out of reach for good: the first error that knew it becomes `lost`, and the executor hears it once. */
  private fail(e?: unknown): ConnectionError {
    if (!this.lost) {
      this.lost = this.error(e);
      if (!this.closing) this.events.lost(this.lost);
    }
    return this.lost;
  }

  private ended(): void {
    if (!this.closing) this.fail();
  }

  /** After a reconnection: a Redis that restarted without our keys has lost the queued jobs with them. */
  private reconnected(): void {
    if (!this.everReady) {
      this.everReady = true;
      return;
    }
    void this.conn.exists(aliveKey(this.queue, this.client)).then((alive) => {
      if (alive || this.closing) return;
      this.events.restarted(new ConnectionError(`Redis at ${redactUrl(this.url)} restarted and lost the queued tasks`));
      void this.beat().catch(() => undefined);
    }, () => undefined);
  }

  /** Removes this client's keys (workers drop its jobs still queued) and closes both connections. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    if (this.conn.status === 'ready') {
      await this.conn.del(aliveKey(this.queue, this.client), inboxKey(this.queue, this.client)).catch(() => undefined);
    }
    await this.bull.close().catch(() => undefined);
    quietSocket(this.reader);
    this.reader.disconnect();
    if (this.conn.status === 'ready') await this.conn.quit().catch(() => undefined);
    quietSocket(this.conn);
    this.conn.disconnect();
  }
}

/**
 * Closing a TLS socket mid-handshake (a failed connect() closes the reader while it is still handshaking) can make it
 * emit two errors: the refused certificate, then the server's alert. ioredis listens for a socket's first error only,
 * so the second would surface as an uncaught exception in whoever runs at that moment.
 */
function quietSocket(redis: Redis): void {
  (redis.stream as NodeJS.EventEmitter | undefined)?.on('error', () => undefined);
}
