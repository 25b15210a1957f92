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
import { escapeLiteral } from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { statement, type RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { AuditUnavailableError } from '../shared/errors';
import { GroupCommitter } from './group-commit';
import { AUDIT_COLUMNS, cleanText, GENESIS_HASH, recordHash, type AuditEntryInput, type AuditRecord } from './record';
import {
  auditDir,
  loadSigningKey,
  mkdirPrivate,
  signCheckpoint,
  witnessFile,
  witnessLine,
  type Checkpoint,
  type SigningKey,
} from './signing';

/** The advisory lock that serialises writers of the chain (an arbitrary constant). */
export const AUDIT_CHAIN_LOCK = 734_110_202_600;

export interface AppendResult {
  id: string;
  seq: string;
}

/** Called after each group-commit batch with its size, duration and, when it failed, the error (metrics). */
export type AuditBatchObserver = (size: number, ms: number, error?: unknown) => void;

export interface AuditServiceOptions {
  /** Told about every batch written (or failed). */
  onBatch?: AuditBatchObserver;
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

  constructor(
    private readonly ds: DataSource,
    private readonly db: RequestDb,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    opts: AuditServiceOptions = {},
  ) {
    this.key = opts.key ?? loadSigningKey(config, { create: true });
    this.witnessDir = opts.witnessDir === undefined ? (auditDir(config) ?? null) : opts.witnessDir;
    this.committer = new GroupCommitter(
      (items) => this.writeBatch(items),
      {
        windowMs: config.audit.groupCommitMs,
        maxBatch: config.audit.groupCommitMax,
      },
      opts.onBatch,
    );
  }

  /**
   * Appends one record; resolves once it is committed. Rejects with AuditUnavailableError when the
   * write fails or takes longer than AUDIT_WRITE_TIMEOUT_MS.
   */
  async append(entry: AuditEntryInput): Promise<AppendResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AuditUnavailableError(
              new Error(`audit write took longer than ${this.config.audit.writeTimeoutMs} ms`),
              true,
            ),
          ),
        this.config.audit.writeTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.committer.submit(entry), timeout]);
    } catch (e) {
      throw e instanceof AuditUnavailableError ? e : new AuditUnavailableError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After a timed-out append whose response was withheld: the record must describe what the
   * client received, not the result it did not get. Still queued, the record is replaced by
   * `sent` (one record, as sent); already being written, a second record of the same request
   * follows it with `sent`. Settles when that is written; failures are the caller's to log.
   */
  async recordWithheld(entry: AuditEntryInput, sent: Partial<AuditEntryInput>): Promise<void> {
    const corrected: AuditEntryInput = { ...entry, ...sent };
    const pending = this.committer.replaceQueued(entry, corrected);
    if (!pending) await this.committer.submit({ ...corrected, reservedId: undefined });
  }

  /** Waits for every record submitted so far. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  /** An id for a record not written yet (e.g. to name it in the response); pass it as reservedId. */
  async reserveId(): Promise<string> {
    const [row] = await this.db.run(null, (sql) =>
      sql.query<{ id: string }>(`SELECT nextval('audit_records_id_seq')::text AS id`),
    );
    return row.id;
  }

  /**
   * One round trip per batch in the steady state: the chain head and a block of record ids are
   * cached, and the INSERT only takes effect if the head in the database is still the cached one
   * (checked under the chain lock). Another instance having written in between, or the table having
   * been emptied (tests), makes it insert nothing: the head is read again and the batch retried.
   */
  private async writeBatch(items: AuditEntryInput[]): Promise<AppendResult[]> {
    try {
      const out = await this.tryWriteBatch(items);
      if (out) return out;
    } catch (e) {
      this.head = undefined;
      this.idPool = [];
      // A unique violation after the id sequence was reset (tests) is cured by fresh ids below.
      if ((e as { code?: string }).code !== '23505') throw e;
    }
    // Another instance moved the head (or the optimistic write failed): write under the chain lock,
    // reading the head inside the same transaction, which cannot lose a race. Optimistic retries
    // alone could lose every time while several instances write at once.
    this.head = undefined;
    return this.lockedWriteBatch(items);
  }

  /** Head read and insert in one transaction holding the chain lock (two round trips). */
  private async lockedWriteBatch(items: AuditEntryInput[]): Promise<AppendResult[]> {
    const out = await this.db.withConnection(async (conn) => {
      const { head: last } = await conn.batch(null, { lock: CHAIN_LOCK, head: CHAIN_HEAD }, { commit: false });
      const row = last.rows[0];
      const head = row ? { seq: BigInt(row.seq), hash: row.hash } : { seq: 0n, hash: GENESIS_HASH };
      const need = items.filter((i) => i.reservedId === undefined).length;
      const ids =
        need === 0
          ? []
          : (
              await conn.query<{ id: string }>(
                `SELECT nextval('audit_records_id_seq')::text AS id FROM generate_series(1, $1::int)`,
                [need],
              )
            ).rows.map((x) => x.id);
      const built = buildRecords(items, head, ids);
      await conn.query(
        `INSERT INTO audit_records (${AUDIT_COLUMNS.map(([c]) => c).join(', ')}) VALUES ${built.values.join(', ')}`,
      );
      await conn.commit();
      return built;
    });
    this.head = { seq: out.seq, hash: out.prev };
    return out.records.map((r) => ({ id: r.id, seq: r.seq }));
  }

  private head: { seq: bigint; hash: Buffer } | undefined;
  private idPool: string[] = [];

  private async tryWriteBatch(items: AuditEntryInput[]): Promise<AppendResult[] | null> {
    return this.db.withConnection(async (conn) => {
      if (!this.head) {
        const { head } = await conn.batch(null, { head: CHAIN_HEAD }, { commit: true });
        const row = head.rows[0];
        this.head = row ? { seq: BigInt(row.seq), hash: row.hash } : { seq: 0n, hash: GENESIS_HASH };
      }
      const need = items.filter((i) => i.reservedId === undefined).length;
      if (this.idPool.length < need) {
        const block = statement<{ id: string }>(
          `SELECT nextval('audit_records_id_seq')::text AS id FROM generate_series(1, ${Math.max(need, ID_BLOCK)})`,
        );
        const { ids } = await conn.batch(null, { ids: block }, { commit: true });
        this.idPool.push(...ids.rows.map((x) => x.id));
      }
      const expected = this.head;
      const { records, values, used, seq, prev } = buildRecords(items, expected, this.idPool);
      const headCheck =
        expected.seq === 0n
          ? 'NOT EXISTS (SELECT 1 FROM audit_records)'
          : `(SELECT r.hash FROM audit_records r ORDER BY r.seq DESC LIMIT 1) = ${literal(expected.hash, 'bytea')}`;
      const insert = statement(
        `INSERT INTO audit_records (${AUDIT_COLUMNS.map(([c]) => c).join(', ')})
           SELECT v.* FROM (VALUES ${values.join(', ')}) AS v WHERE ${headCheck}`,
      );
      const { inserted } = await conn.batch(null, { lock: CHAIN_LOCK, inserted: insert }, { commit: true });
      if (inserted.rowCount !== records.length) return null;
      this.idPool.splice(0, used);
      this.head = { seq, hash: prev };
      return records.map((r) => ({ id: r.id, seq: r.seq }));
    });
  }

  /**
   * Signs the current chain head into audit_checkpoints (and the witness log). Returns null when
   * the chain is empty or the head is already checkpointed (unless `force`).
   */
  async checkpoint(opts: { force?: boolean } = {}): Promise<Checkpoint | null> {
    const cp = await this.db.withConnection(async (conn) => {
      const { head: last, checkpoint } = await conn.batch(
        null,
        { lock: CHAIN_LOCK, head: CHAIN_HEAD, checkpoint: LAST_CHECKPOINT },
        { commit: false },
      );
      const head = last.rows[0];
      if (!head || (!opts.force && checkpoint.rows[0]?.seq === head.seq)) {
        await conn.commit();
        return null;
      }
      const signed = signCheckpoint(this.key, {
        seq: head.seq,
        recordId: head.id,
        headHash: head.hash,
        createdAt: this.clock.now(),
      });
      await conn.query(
        `INSERT INTO audit_checkpoints (seq, record_id, head_hash, created_at, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [signed.seq, signed.recordId, signed.headHash, signed.createdAt, signed.keyId, signed.signature],
      );
      await conn.commit();
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
      mkdirPrivate(this.witnessDir);
      return witnessFile(this.witnessDir, await databaseKey(this.ds));
    })();
    return this.witnessPath;
  }
}

/** Identifies the database (cluster system identifier and name) for the witness log's file name. */
export async function databaseKey(ds: DataSource): Promise<string> {
  try {
    const [r] = await ds.query(
      `SELECT current_database() AS db, (SELECT system_identifier::text FROM pg_control_system()) AS sysid`,
    );
    return `${r.sysid}/${r.db}`;
  } catch {
    const [r] = await ds.query(`SELECT current_database() AS db`);
    return String(r.db);
  }
}

/** Serialises writers of the chain until the transaction ends. */
const CHAIN_LOCK = statement(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);

/** The newest record of the chain (none when it is empty). */
const CHAIN_HEAD = statement<{ id: string; seq: string; hash: Buffer }>(
  `SELECT r.id::text AS id, r.seq::text AS seq, r.hash FROM audit_records r ORDER BY r.seq DESC LIMIT 1`,
);

/** The newest checkpoint. */
const LAST_CHECKPOINT = statement<{ seq: string }>(
  `SELECT c.seq::text AS seq FROM audit_checkpoints c ORDER BY c.id DESC LIMIT 1`,
);

/** Record ids fetched from the sequence at a time. */
const ID_BLOCK = 64;

/**
 * A typed SQL literal. Values are inlined (the batch is one simple-protocol round trip), so every
 * kind is rendered strictly: strings through escapeLiteral, numbers and ids checked, bytes as hex.
 */
function literal(v: unknown, type: string): string {
  if (v === null || v === undefined) return `NULL::${type}`;
  switch (type) {
    case 'bigint':
    case 'integer': {
      const t = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : String(v);
      if (!/^-?[0-9]{1,19}$/.test(t)) throw new Error(`audit record: not an integer for ${type}`);
      return `${t}::${type}`;
    }
    case 'boolean':
      return v === true ? 'true' : 'false';
    case 'timestamptz':
      return `${escapeLiteral((v as Date).toISOString())}::timestamptz`;
    case 'bytea':
      return `'\\x${(v as Buffer).toString('hex')}'::bytea`;
    case 'text[]':
      return `ARRAY[${(v as string[]).map((x) => escapeLiteral(x)).join(', ')}]::text[]`;
    default:
      return `${escapeLiteral(String(v))}::${type}`;
  }
}

/** Text as PostgreSQL will store it (see cleanText), applied before hashing so both agree. */
function sanitize<T extends Omit<AuditEntryInput, 'reservedId'>>(e: T): T {
  const t = <S extends string | null>(x: S) => cleanText(x, 100_000);
  return {
    ...e,
    requestId: t(e.requestId),
    username: t(e.username),
    clientIp: t(e.clientIp),
    userAgent: t(e.userAgent),
    operationName: t(e.operationName),
    rootFields: e.rootFields.map(t),
    variables: t(e.variables),
    errorCodes: e.errorCodes.map(t),
    complaintId: t(e.complaintId),
  };
}

/** Chains the batch onto `head`: seq, prevHash and hash per record, and the VALUES rows to insert. */
function buildRecords(items: AuditEntryInput[], head: { seq: bigint; hash: Buffer }, ids: string[]) {
  let seq = head.seq;
  let prev = head.hash;
  let used = 0;
  const records: AuditRecord[] = [];
  for (const item of items) {
    const { reservedId, ...entry } = item;
    seq += 1n;
    const partial = { ...sanitize(entry), id: reservedId ?? ids[used++], seq: seq.toString(), prevHash: prev };
    const rec: AuditRecord = { ...partial, hash: recordHash(partial) };
    records.push(rec);
    prev = rec.hash;
  }
  const values = records.map((r) => `(${AUDIT_COLUMNS.map(([, prop, type]) => literal(r[prop], type)).join(', ')})`);
  return { records, values, used, seq, prev };
}
