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
import { AUDITOR, statement, type RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { AuditUnavailableError } from '../shared/errors';
import { GroupCommitter } from './group-commit';
import { CompactRange, leafHash } from './merkle';
import { storedRoot, storedTreeSize, storeTreeNodes, type TreeNode } from './tree-store';
import {
  AUDIT_COLUMNS,
  cleanText,
  GENESIS_HASH,
  recordHash,
  rowToRecord,
  type AuditEntryInput,
  type AuditRecord,
  type AuditRow,
} from './record';
import {
  auditDir,
  checkpointSignatureValid,
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

/** The advisory lock under which a checkpoint is checked against the newest one and inserted (every instance). */
export const AUDIT_CHECKPOINT_LOCK = 734_110_202_601;

export interface AppendResult {
  id: string;
  seq: string;
  /** The record's hash (its Merkle leaf is SHA-256(0x00 ‖ hash)). */
  hash: Buffer;
}

/** Called after each group-commit batch with its size, duration and, when it failed, the error (metrics). */
export type AuditBatchObserver = (size: number, ms: number, error?: unknown) => void;

/** Told after every checkpoint attempt whether the records since the last verified checkpoint verified. */
export type AuditIntegrityObserver = (status: AuditIntegrity) => void;

/** The outcome of the checkpointer's last verification (officers see it in serviceStatistics). */
export interface AuditIntegrity {
  /** False: records since the last verified checkpoint do not verify and nothing is being signed. */
  ok: boolean;
  /** The chain position of the first record that failed (altered, missing, out of place). */
  firstBadSeq: string | null;
  reason: string | null;
  /** When this service last verified (null: not yet since it started). */
  checkedAt: Date | null;
  /** The tree size (newest chain position) this service last verified and signed. */
  verifiedSize: string;
}

/** The checkpointer found records that do not verify: it signs nothing until they are dealt with. */
export class AuditIntegrityError extends Error {
  constructor(
    readonly firstBadSeq: string,
    readonly reason: string,
  ) {
    super(`audit integrity: record seq ${firstBadSeq}: ${reason}; checkpoint refused`);
    this.name = 'AuditIntegrityError';
  }
}

/** The verified state of the log: the Merkle tree's right edge at `size` and the hash of record `size`. */
interface VerifiedLog {
  size: number;
  range: CompactRange;
  lastHash: Buffer;
  root: Buffer;
}

export interface AuditServiceOptions {
  /** Told about every batch written (or failed). */
  onBatch?: AuditBatchObserver;
  /** Told the outcome of every checkpoint's verification (metrics). */
  onIntegrity?: AuditIntegrityObserver;
  /** Overrides the key from the configuration (tests). */
  key?: SigningKey;
  /** Overrides the witness folder from the configuration; null: no witness log. */
  witnessDir?: string | null;
  /**
   * False: the checkpointer does not store the tree's complete subtrees (audit_tree_nodes), so no
   * proofs can be served (the benchmark's baseline). Default true.
   */
  treeStore?: boolean;
}

export class AuditService {
  readonly key: SigningKey;
  private readonly committer: GroupCommitter<AuditEntryInput, AppendResult>;
  private readonly witnessDir: string | null;
  private witnessPath: Promise<string | null> | undefined;
  private readonly onIntegrity: AuditIntegrityObserver | undefined;
  private readonly treeStore: boolean;
  private verified: VerifiedLog | undefined;
  private checkpointing: Promise<unknown> = Promise.resolve();
  private status: AuditIntegrity = { ok: true, firstBadSeq: null, reason: null, checkedAt: null, verifiedSize: '0' };

  constructor(
    private readonly ds: DataSource,
    private readonly db: RequestDb,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    opts: AuditServiceOptions = {},
  ) {
    this.key = opts.key ?? loadSigningKey(config, { create: true });
    this.witnessDir = opts.witnessDir === undefined ? (auditDir(config) ?? null) : opts.witnessDir;
    this.onIntegrity = opts.onIntegrity;
    this.treeStore = opts.treeStore ?? true;
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
    if (!pending) await this.committer.submit(corrected);
  }

  /** Waits for every record submitted so far. */
  drain(): Promise<void> {
    return this.committer.drain();
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
      // So is the head trigger's refusal (40001) once the head is read again under the lock.
      if (!['23505', '40001'].includes(String((e as { code?: string }).code))) throw e;
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
      const { head: last } = await conn.batch(AUDITOR, { lock: CHAIN_LOCK, head: CHAIN_HEAD }, { commit: false });
      const row = last.rows[0];
      const head = row ? { seq: BigInt(row.seq), hash: row.hash } : { seq: 0n, hash: GENESIS_HASH };
      const need = items.length;
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
      await conn.query(`INSERT INTO audit_records (${COLUMN_LIST}) VALUES ${built.values.join(', ')}`);
      await conn.commit();
      return built;
    });
    this.head = { seq: out.seq, hash: out.prev };
    return out.records.map((r) => ({ id: r.id, seq: r.seq, hash: r.hash }));
  }

  private head: { seq: bigint; hash: Buffer } | undefined;
  private idPool: string[] = [];

  private async tryWriteBatch(items: AuditEntryInput[]): Promise<AppendResult[] | null> {
    return this.db.withConnection(async (conn) => {
      if (!this.head) {
        const { head } = await conn.batch(AUDITOR, { head: CHAIN_HEAD }, { commit: true });
        const row = head.rows[0];
        this.head = row ? { seq: BigInt(row.seq), hash: row.hash } : { seq: 0n, hash: GENESIS_HASH };
      }
      const need = items.length;
      if (this.idPool.length < need) {
        const block = statement<{ id: string }>(
          `SELECT nextval('audit_records_id_seq')::text AS id FROM generate_series(1, ${Math.max(need, ID_BLOCK)})`,
        );
        const { ids } = await conn.batch(AUDITOR, { ids: block }, { commit: true });
        this.idPool.push(...ids.rows.map((x) => x.id));
      }
      const expected = this.head;
      const { records, values, used, seq, prev } = buildRecords(items, expected, this.idPool);
      // The head is audit_chain_head (advanced by a trigger on every insert, never lowered), not the
      // newest record: a deleted newest record must not give its seq to the next one.
      const headCheck =
        expected.seq === 0n
          ? 'NOT EXISTS (SELECT 1 FROM audit_chain_head WHERE seq > 0) AND NOT EXISTS (SELECT 1 FROM audit_records)'
          : `(SELECT h.hash FROM audit_chain_head h) = ${literal(expected.hash, 'bytea')}`;
      const insert = statement(
        `INSERT INTO audit_records (${COLUMN_LIST})
           SELECT v.* FROM (VALUES ${values.join(', ')}) AS v WHERE ${headCheck}`,
      );
      const { inserted } = await conn.batch(AUDITOR, { lock: CHAIN_LOCK, inserted: insert }, { commit: true });
      if (inserted.rowCount !== records.length) return null;
      this.idPool.splice(0, used);
      this.head = { seq, hash: prev };
      return records.map((r) => ({ id: r.id, seq: r.seq, hash: r.hash }));
    });
  }

  /** The outcome of the last checkpoint's verification. */
  integrity(): AuditIntegrity {
    return { ...this.status };
  }

  /**
   * Verifies the records written since the last checkpoint this service verified, then signs the
   * Merkle tree over all records (leaf i = the hash of the record at seq i + 1) as a C2SP
   * checkpoint into audit_checkpoints and the witness log. Returns null when there is nothing new
   * to sign (unless `force`).
   *
   * Verification recomputes each record's hash from its fields (never trusting the stored hash),
   * checks the seq follows and the link to the previous record, that the records reach the chain
   * head the writers advanced (audit_chain_head: a deleted newest record is missing, not forgotten)
   * and that the newest record still has the hash written then. On the first start (or when its
   * last checkpoint is gone) the whole chain is verified, and the tree is compared with every
   * checkpoint signed by this key along the way. Any mismatch: nothing is signed, the status says
   * so (integrity(), the metrics) and AuditIntegrityError is thrown (the caller logs it).
   * One checkpoint at a time per service; several services may checkpoint the same database.
   */
  checkpoint(opts: { force?: boolean } = {}): Promise<Checkpoint | null> {
    const run = this.checkpointing.catch(() => undefined).then(() => this.checkpointOnce(opts));
    this.checkpointing = run;
    return run;
  }

  private async checkpointOnce(opts: { force?: boolean }): Promise<Checkpoint | null> {
    const now = this.clock.now();
    const [head] = await this.db.run(AUDITOR, (sql) => sql.query<{ seq: string; hash: Buffer }>(CHAIN_HEAD.text));
    if (!head || head.seq === '0') return null;
    const target = Number(head.seq);
    let from = this.verified;
    if (from) {
      // Still the database this service verified? (Emptied tables in tests; deleted checkpoints are the
      // witness log's to catch: here they only mean verifying from the start again.)
      const [still] = await this.db.run(AUDITOR, (sql) =>
        sql.query<{ ok: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM audit_checkpoints WHERE tree_size = $1 AND root_hash = $2) AS ok`,
          [from!.size, from!.root],
        ),
      );
      if (!still.ok || from.size > target) from = undefined;
    }
    if (from && from.size === target && !opts.force) return null;
    let log: VerifiedLog;
    try {
      log = await this.verifyUpTo(from, target, head.hash);
    } catch (e) {
      if (e instanceof AuditIntegrityError) {
        this.setStatus({ ok: false, firstBadSeq: e.firstBadSeq, reason: e.reason, checkedAt: now });
      }
      throw e;
    }
    const cp = await this.db.run(AUDITOR, async (sql) => {
      // One instance at a time checks the newest checkpoint and inserts its own.
      await sql.query(`SELECT pg_advisory_xact_lock(${AUDIT_CHECKPOINT_LOCK})`);
      const [last] = await sql.query<{ tree_size: string | null; root_hash: Buffer | null }>(
        `SELECT c.tree_size::text AS tree_size, c.root_hash FROM audit_checkpoints c ORDER BY c.id DESC LIMIT 1`,
      );
      // Another instance signed this very tree already.
      if (!opts.force && last?.tree_size === String(target) && last.root_hash?.equals(log.root)) return null;
      const [rec] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM audit_records WHERE seq = $1`, [
        target,
      ]);
      const signed = signCheckpoint(this.key, {
        seq: String(target),
        recordId: rec.id,
        headHash: log.lastHash,
        createdAt: now,
        rootHash: log.root,
        origin: this.config.audit.logOrigin,
      });
      await sql.query(
        `INSERT INTO audit_checkpoints (seq, record_id, head_hash, created_at, key_id, signature, tree_size, root_hash, note)
         VALUES ($1, $2, $3, $4, $5, $6, $1, $7, $8)`,
        [
          signed.seq,
          signed.recordId,
          signed.headHash,
          signed.createdAt,
          signed.keyId,
          signed.signature,
          signed.rootHash,
          signed.note,
        ],
      );
      return signed;
    });
    this.verified = log;
    this.setStatus({ ok: true, firstBadSeq: null, reason: null, checkedAt: now });
    if (cp) {
      const file = await this.witnessFilePath();
      if (file) await fs.promises.appendFile(file, witnessLine(cp), { mode: 0o600 });
    }
    return cp;
  }

  private setStatus(s: Omit<AuditIntegrity, 'verifiedSize'>): void {
    this.status = { ...s, verifiedSize: String(this.verified?.size ?? 0) };
    this.onIntegrity?.(this.integrity());
  }

  /** Extends the verified log `from` (none: the empty log) over records up to `target`; throws AuditIntegrityError. */
  private async verifyUpTo(from: VerifiedLog | undefined, target: number, headHash: Buffer): Promise<VerifiedLog> {
    const range = from ? from.range.clone() : CompactRange.empty();
    let lastHash = from ? from.lastHash : GENESIS_HASH;
    let expected = (from?.size ?? 0) + 1;
    // From the start: the checkpoints signed by this key are what the tree must match on the way.
    const signedRoots = new Map<number, Buffer>();
    if (!from) {
      const cps = await this.db.run(AUDITOR, (sql) =>
        sql.query<CheckpointRow>(
          `SELECT seq::text AS seq, record_id::text AS record_id, head_hash, created_at, key_id, signature, root_hash, note
             FROM audit_checkpoints WHERE seq <= $1 ORDER BY id`,
          [target],
        ),
      );
      for (const c of cps.map(checkpointFromRow)) {
        if (checkpointSignatureValid(this.key, c, this.config.audit.logOrigin) && c.rootHash) {
          signedRoots.set(Number(c.seq), c.rootHash);
        }
      }
    }
    const fail = (seq: number, reason: string): never => {
      throw new AuditIntegrityError(String(seq), reason);
    };
    // The stored tree (audit_tree_nodes): complete subtrees of the leaves verified here are stored as
    // each page verifies. Those stored before (another instance, an earlier run) are not written again;
    // from the start, the stored tree's root must be the verified one where they meet.
    let storeFrom = from?.size ?? 0;
    let storedCheck: { size: number; root: Buffer } | null = null;
    if (this.treeStore && !from) {
      const stored = await this.db.run(AUDITOR, (sql) => storedTreeSize(sql));
      storeFrom = stored;
      const at = Math.min(stored, target);
      if (at > 0) storedCheck = { size: at, root: await this.db.run(AUDITOR, (sql) => storedRoot(sql, at)) };
    }
    const nodes: TreeNode[] = [];
    const onNode = (level: number, idx: number, hash: Buffer) => {
      if ((idx + 1) * 2 ** level > storeFrom) nodes.push({ level, idx, hash });
    };
    while (expected <= target) {
      const rows = await this.db.run(AUDITOR, (sql) =>
        sql.query<AuditRow>(`SELECT * FROM audit_records WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT 5000`, [
          expected,
          target,
        ]),
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const rec = rowToRecord(row);
        const seq = Number(rec.seq);
        if (seq !== expected) {
          fail(expected, `records at chain positions ${expected}..${seq - 1} are missing (deleted)`);
        }
        if (!rec.prevHash.equals(lastHash)) {
          // Record seq − 1 no longer has the hash its successor chained onto (altered, hash recomputed),
          // unless it was verified already: then this record's link was changed.
          if (seq - 1 > (from?.size ?? 0)) {
            fail(seq - 1, `its hash is not the one record ${seq} chained onto (altered and its hash recomputed)`);
          }
          fail(seq, 'its previous-record hash does not match the previous record (altered)');
        }
        const { hash, ...content } = rec;
        if (!recordHash(content).equals(hash)) fail(seq, 'its content does not match its hash (record altered)');
        range.appendLeafHash(leafHash(hash), this.treeStore ? onNode : undefined);
        lastHash = hash;
        const signed = signedRoots.get(seq);
        if (signed && !signed.equals(range.root())) {
          fail(seq, `the records up to seq ${seq} differ from the checkpoint signed of them (chain rewritten)`);
        }
        if (storedCheck && range.size === storedCheck.size && !range.root().equals(storedCheck.root)) {
          fail(seq, `the stored Merkle tree (audit_tree_nodes) of records 1..${seq} differs from the records`);
        }
        expected += 1;
      }
      if (nodes.length > 0) {
        const page = nodes.splice(0);
        await this.db.run(AUDITOR, (sql) => storeTreeNodes(sql, page));
      }
    }
    if (expected <= target) {
      fail(expected, `records at chain positions ${expected}..${target} are missing (the newest records deleted)`);
    }
    if (!lastHash.equals(headHash)) {
      fail(target, 'the newest record differs from the one written (altered and its hash recomputed)');
    }
    return { size: target, range, lastHash, root: range.root() };
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

/**
 * The chain head: the newest position ever written and its hash (audit_chain_head, which the
 * insert trigger advances and nothing lowers); the newest record only when that row is missing.
 */
const CHAIN_HEAD = statement<{ seq: string; hash: Buffer }>(
  `SELECT x.seq::text AS seq, x.hash FROM (
     SELECT h.seq, h.hash, 0 AS o FROM audit_chain_head h
     UNION ALL (SELECT r.seq, r.hash, 1 AS o FROM audit_records r ORDER BY r.seq DESC LIMIT 1)
   ) x ORDER BY x.o LIMIT 1`,
);

interface CheckpointRow {
  seq: string;
  record_id: string;
  head_hash: Buffer;
  created_at: Date;
  key_id: string;
  signature: Buffer;
  root_hash: Buffer | null;
  note: string | null;
}

export function checkpointFromRow(r: CheckpointRow): Checkpoint {
  return {
    seq: r.seq,
    recordId: r.record_id,
    headHash: r.head_hash,
    createdAt: new Date(r.created_at),
    keyId: r.key_id,
    signature: r.signature,
    ...(r.note !== null ? { note: r.note, rootHash: r.root_hash ?? Buffer.alloc(0) } : {}),
  };
}

/** Record ids fetched from the sequence at a time. */
const ID_BLOCK = 64;

/** The INSERT's column list (AUDIT_COLUMNS' order, the order of each VALUES row). */
const COLUMN_LIST = AUDIT_COLUMNS.map(([c]) => c).join(', ');

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
function sanitize<T extends AuditEntryInput>(
  e: T,
  chain: Pick<AuditRecord, 'id' | 'seq' | 'prevHash'>,
): T & typeof chain {
  const t = <S extends string | null>(x: S) => cleanText(x, 100_000);
  return {
    ...e,
    ...chain,
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

/**
 * Chains the batch onto `head`: seq, prevHash and hash per record, and the VALUES rows to insert. Exported for
 * bench/accounting-cpu.bench.ts (the writer's CPU per record without a database).
 */
export function buildRecords(items: AuditEntryInput[], head: { seq: bigint; hash: Buffer }, ids: string[]) {
  let seq = head.seq;
  let prev = head.hash;
  let used = 0;
  const records: AuditRecord[] = [];
  for (const item of items) {
    seq += 1n;
    // One object per record (the hash is added to it, not to a copy).
    const rec = sanitize(item, { id: ids[used++], seq: seq.toString(), prevHash: prev }) as AuditRecord;
    rec.hash = recordHash(rec);
    records.push(rec);
    prev = rec.hash;
  }
  const values = records.map((r) => `(${AUDIT_COLUMNS.map(([, prop, type]) => literal(r[prop], type)).join(', ')})`);
  return { records, values, used, seq, prev };
}
