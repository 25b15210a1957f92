/**
 * Writes audit records: group commit into one transaction per batch, chained under a
 * transaction-scoped advisory lock (one writer at a time across every instance of the service),
 * as the request role (INSERT and SELECT only). A caller's promise settles once its record is
 * committed; the plugin sends no response before that (fail closed).
 *
 * Checkpoints sign the chain head with the service key and are stored in audit_checkpoints and,
 * when an audit folder is configured, appended to a witness log outside the database.
 */
import fs from 'node:fs';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import type { RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { GroupCommitter } from './group-commit';
import {
  AUDIT_COLUMNS, GENESIS_HASH, recordHash, type AuditEntryInput, type AuditRecord,
} from './record';
import {
  auditDir, loadSigningKey, signCheckpoint, witnessFile, witnessLine, type Checkpoint, type SigningKey,
} from './signing';

/** The advisory lock that serialises writers of the chain (an arbitrary constant). */
export const AUDIT_CHAIN_LOCK = 734_110_202_600;

/** Thrown when the audit record of a response could not be made durable: the response is withheld. */
export class AuditUnavailableError extends AppError {
  constructor(override readonly cause?: unknown) {
    super('AUDIT_UNAVAILABLE', 'the audit record of this request could not be written, so its result is withheld; try again later');
  }
}

export interface AppendResult {
  id: string;
  seq: string;
}

export interface AuditServiceOptions {
  /** Overrides the key from the configuration (tests). */
  key?: SigningKey;
  /** Overrides the witness folder from the configuration; null: no witness log. */
  witnessDir?: string | null;
}

export class AuditService {
  readonly key: SigningKey;
  private readonly committer: GroupCommitter<AuditEntryInput, AppendResult>;
  private readonly witnessDir: string | null;
  private witnessPath: Promise<string | null> | undefined;
  /** Called after each batch (metrics). */
  onBatch: ((size: number, ms: number, error?: unknown) => void) | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly db: RequestDb,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    opts: AuditServiceOptions = {},
  ) {
    this.key = opts.key ?? loadSigningKey(config, { create: true });
    this.witnessDir = opts.witnessDir === undefined ? auditDir(config) ?? null : opts.witnessDir;
    this.committer = new GroupCommitter((items) => this.writeBatch(items), {
      windowMs: config.audit.groupCommitMs, maxBatch: config.audit.groupCommitMax,
    }, (size, ms, error) => this.onBatch?.(size, ms, error));
  }

  /**
   * Appends one record; resolves once it is committed. Rejects with AuditUnavailableError when the
   * write fails or takes longer than AUDIT_WRITE_TIMEOUT_MS.
   */
  async append(entry: AuditEntryInput): Promise<AppendResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`audit write took longer than ${this.config.audit.writeTimeoutMs} ms`)),
        this.config.audit.writeTimeoutMs);
    });
    try {
      return await Promise.race([this.committer.submit(entry), timeout]);
    } catch (e) {
      throw e instanceof AuditUnavailableError ? e : new AuditUnavailableError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for every record submitted so far. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  /** An id for a record not written yet (e.g. to name it in the response); pass it as reservedId. */
  async reserveId(): Promise<string> {
    const [row] = await this.db.run(null, (sql) => sql.query<{ id: string }>(
      `SELECT nextval('audit_records_id_seq')::text AS id`));
    return row.id;
  }

  private get pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }

  /** Opens a transaction as the request role holding the chain lock; returns the head. */
  private async begin(client: PoolClient, extra = ''): Promise<QueryResult[]> {
    const role = this.config.db.appRole;
    return (await client.query(
      `BEGIN; SET LOCAL ROLE ${role}; SELECT set_config('app.participant_id', '', true);
       SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
       SELECT r.id::text AS id, r.seq::text AS seq, r.hash FROM audit_records r ORDER BY r.seq DESC LIMIT 1;${extra}`,
    )) as unknown as QueryResult[];
  }

  private async inTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((re: Error) => {
        broken = re;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  private async writeBatch(items: AuditEntryInput[]): Promise<AppendResult[]> {
    const needIds = items.filter((i) => i.reservedId === undefined).length;
    return this.inTransaction(async (client) => {
      const res = await this.begin(client,
        ` SELECT nextval('audit_records_id_seq')::text AS id FROM generate_series(1, ${needIds});`);
      const head = res[4].rows[0] as { seq: string; hash: Buffer } | undefined;
      const ids = (res[5].rows as { id: string }[]).map((r) => r.id);
      let seq = head ? BigInt(head.seq) : 0n;
      let prev: Buffer = head ? head.hash : GENESIS_HASH;
      let nextId = 0;
      const records: AuditRecord[] = [];
      for (const item of items) {
        const { reservedId, ...entry } = item;
        seq += 1n;
        const partial = { ...entry, id: reservedId ?? ids[nextId++], seq: seq.toString(), prevHash: prev };
        const rec: AuditRecord = { ...partial, hash: recordHash(partial) };
        records.push(rec);
        prev = rec.hash;
      }
      const params: unknown[] = [];
      const rows = records.map((r) => `(${AUDIT_COLUMNS.map(([, prop]) => {
        params.push(r[prop]);
        return `$${params.length}`;
      }).join(', ')})`);
      await client.query(
        `INSERT INTO audit_records (${AUDIT_COLUMNS.map(([c]) => c).join(', ')}) VALUES ${rows.join(', ')}`, params);
      return records.map((r) => ({ id: r.id, seq: r.seq }));
    });
  }

  /**
   * Signs the current chain head into audit_checkpoints (and the witness log). Returns null when
   * the chain is empty or the head is already checkpointed (unless `force`).
   */
  async checkpoint(opts: { force?: boolean } = {}): Promise<Checkpoint | null> {
    const cp = await this.inTransaction(async (client) => {
      const res = await this.begin(client, ' SELECT c.seq::text AS seq FROM audit_checkpoints c ORDER BY c.id DESC LIMIT 1;');
      const head = res[4].rows[0] as { id: string; seq: string; hash: Buffer } | undefined;
      const last = res[5].rows[0] as { seq: string } | undefined;
      if (!head || (!opts.force && last?.seq === head.seq)) return null;
      const signed = signCheckpoint(this.key, {
        seq: head.seq, recordId: head.id, headHash: head.hash, createdAt: this.clock.now(),
      });
      await client.query(
        `INSERT INTO audit_checkpoints (seq, record_id, head_hash, created_at, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [signed.seq, signed.recordId, signed.headHash, signed.createdAt, signed.keyId, signed.signature]);
      return signed;
    });
    if (cp) {
      const file = await this.witnessFilePath();
      if (file) await fs.promises.appendFile(file, witnessLine(cp), { mode: 0o600 });
    }
    return cp;
  }

  /** The witness log of this database, or null when no audit folder is configured. */
  witnessFilePath(): Promise<string | null> {
    this.witnessPath ??= (async () => {
      if (!this.witnessDir) return null;
      fs.mkdirSync(this.witnessDir, { recursive: true, mode: 0o700 });
      return witnessFile(this.witnessDir, await databaseKey(this.ds));
    })();
    return this.witnessPath;
  }
}

/** Identifies the database (cluster system identifier and name) for the witness log's file name. */
export async function databaseKey(ds: DataSource): Promise<string> {
  try {
    const [r] = await ds.query(
      `SELECT current_database() AS db, (SELECT system_identifier::text FROM pg_control_system()) AS sysid`);
    return `${r.sysid}/${r.db}`;
  } catch {
    const [r] = await ds.query(`SELECT current_database() AS db`);
    return String(r.db);
  }
}
