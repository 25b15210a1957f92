/**
 * Contracts of regulation 2.6 (1): an officer registers the signed contract with its documents,
 * issues a username and one-time password within one month, and may suspend or terminate it.
 * Knows nothing of GraphQL; every time comes from the application clock.
 */
import { AccountService, isUniqueViolation, scrubbed, TRADER_USERNAME_PREFIX } from '../auth/account.service';
import type { LoginThrottle } from '../auth/login-throttle';
import type { SessionService } from '../auth/session.service';
import type { Viewer } from '../auth/viewer';
import { IsNull, Not } from 'typeorm';
import { ContractEntity, UserAccountEntity } from '../db/entities';
import { scopeOf, type Asker, type RequestDb, type Sql } from '../db/tenant';
import { isCalendarDate, localDate } from '../shared/calendar';
import type { Clock } from '../shared/clock';
import { cursorCodec, type Page } from '../shared/cursor';
import { BadUserInputError, NotFoundError } from '../shared/errors';
import type { ContractStatus } from '../db/entities/contract.entity';
import { CONTRACT_DOCUMENTS, missingDocuments, type ContractDocument, type ParticipantKind } from './documents';
import { resolveParticipant } from './participants';

export type { ContractStatus };

export interface ContractInputData {
  contractNumber: string;
  signedDate: string;
  kind: ParticipantKind;
  name: string;
  voen?: string | null;
  fin?: string | null;
  gooen?: string | null;
  nonCommercial?: boolean | null;
  documents: readonly string[];
}

export interface ContractRecord {
  id: string;
  contractNumber: string;
  signedDate: string;
  participantId: string;
  status: ContractStatus;
  statusReason: string | null;
  statusChangedAt: Date | null;
  nonCommercial: boolean;
  documents: ContractDocument[];
  credentialsDueDate: string;
  credentialsOverdue: boolean;
  credentialsIssuedAt: Date | null;
  credentialsLastIssuedAt: Date | null;
  username: string | null;
  registeredAt: Date;
  /** Usernames of the officers who registered it, last changed its status, first and last issued credentials. */
  registeredBy: string | null;
  statusChangedBy: string | null;
  credentialsIssuedBy: string | null;
  credentialsLastIssuedBy: string | null;
}

export type ContractPage = Page<ContractRecord>;

export const MAX_CONTRACT_PAGE = 100;
const MAX_NUMBER_LENGTH = 60;
const MAX_NAME_LENGTH = 300;
const MAX_REASON_LENGTH = 2000;

/** Contract numbers compare by this key: lower case, every run of other characters → "-"
 * (GK-2025/0042 → gk-2025-0042). */
export function contractNumberKey(number: string): string {
  return number
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The trader's username for a contract: `c-` and the contract number's key. */
export function usernameForContract(number: string): string {
  return `${TRADER_USERNAME_PREFIX}${contractNumberKey(number)}`;
}

/** Thrown when a contract id names no contract. */
export class ContractNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`no contract with id ${id}`);
  }
}

const SELECT = `
  SELECT c.id::text AS id, c.number AS "contractNumber", to_char(c.signed_date, 'YYYY-MM-DD') AS "signedDate",
         c.participant_id::text AS "participantId", c.status, c.status_reason AS "statusReason",
         c.status_changed_at AS "statusChangedAt", c.non_commercial AS "nonCommercial", c.documents,
         to_char(c.credentials_due_date, 'YYYY-MM-DD') AS "credentialsDueDate",
         (c.status = 'ACTIVE' AND c.credentials_issued_at IS NULL AND c.credentials_due_date < $1::date) AS "credentialsOverdue",
         c.credentials_issued_at AS "credentialsIssuedAt", c.credentials_last_issued_at AS "credentialsLastIssuedAt",
         a.username, c.registered_at AS "registeredAt", reg.username AS "registeredBy",
         st.username AS "statusChangedBy", iss.username AS "credentialsIssuedBy",
         last.username AS "credentialsLastIssuedBy"
    FROM contracts c LEFT JOIN user_accounts a ON a.contract_id = c.id
    LEFT JOIN user_accounts reg ON reg.id = c.registered_by
    LEFT JOIN user_accounts st ON st.id = c.status_changed_by
    LEFT JOIN user_accounts iss ON iss.id = c.credentials_issued_by
    LEFT JOIN user_accounts last ON last.id = c.credentials_last_issued_by`;

/** The overdue test of SELECT, for filters; $1 is today's date. */
const OVERDUE = `(c.status = 'ACTIVE' AND c.credentials_issued_at IS NULL AND c.credentials_due_date < $1::date)`;

function trimmed(v: string | null | undefined): string | null {
  const t = v?.normalize('NFKC').trim();
  return t ? t : null;
}

function parseId(id: string): string {
  if (!/^[0-9]{1,18}$/.test(id)) throw new BadUserInputError('a contract id is a decimal number', 'id');
  return id;
}

/** The sort key of the most-recent-first list: the contract id. */
const contractCursor = cursorCodec('contract:', { id: 'id' });

export class ContractService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly timeZone: string,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Today in the authority's time zone (contract dates are calendar dates there). */
  today(): string {
    return localDate(this.clock.now(), this.timeZone);
  }

  /** Validates the contract and its checklist, finds or creates the participant, and stores both. */
  async register(input: ContractInputData, officer: Viewer): Promise<ContractRecord> {
    const v = this.validate(input);
    const now = this.clock.now();
    try {
      return await this.db.run(scopeOf(officer), async (tx) => {
        const contracts = tx.repo(ContractEntity);
        const dup = await contracts.findOne({ select: { number: true }, where: { numberKey: v.numberKey } });
        if (dup) throw new BadUserInputError(`contract ${dup.number} is already registered`, 'contractNumber');
        const participant = await resolveParticipant(tx, v.participant, now);
        const open = await contracts.findOne({
          select: { number: true, status: true },
          where: { participantId: participant.id, status: Not('TERMINATED' as const) },
        });
        if (open) {
          throw new BadUserInputError(
            `the participant already has contract ${open.number} (${open.status}); terminate it first`,
            'contractNumber',
          );
        }
        const inserted = await contracts.insert({
          number: v.number,
          numberKey: v.numberKey,
          signedDate: v.signedDate,
          participantId: participant.id,
          nonCommercial: v.nonCommercial,
          documents: v.documents,
          registeredBy: officer.userAccountId,
          registeredAt: now,
        });
        return this.load(tx, String(inserted.identifiers[0].id));
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new BadUserInputError(
          'a contract or participant with these identifiers was registered at the same time; try again',
        );
      }
      throw e;
    }
  }

  async list(
    asker: Asker,
    opts: {
      status?: ContractStatus | null;
      overdue?: boolean | null;
      first: number;
      after?: string | null;
    },
  ): Promise<ContractPage> {
    if (!Number.isInteger(opts.first) || opts.first < 0 || opts.first > MAX_CONTRACT_PAGE) {
      throw new BadUserInputError(`first must be from 0 to ${MAX_CONTRACT_PAGE}`, 'first');
    }
    const afterId = opts.after ? contractCursor.decode(opts.after).id : null;
    const rows = await this.db.run(scopeOf(asker), (sql) =>
      sql.query<ContractRecord>(
        `${SELECT}
        WHERE ($2::text IS NULL OR c.status = $2)
          AND ($3::boolean IS NULL OR ${OVERDUE} = $3)
          AND ($4::bigint IS NULL OR c.id < $4)
        ORDER BY c.id DESC LIMIT $5`,
        [this.today(), opts.status ?? null, opts.overdue ?? null, afterId, opts.first + 1],
      ),
    );
    return {
      nodes: rows.slice(0, opts.first).map((r) => ({ cursor: contractCursor.encode({ id: r.id }), node: r })),
      hasNextPage: rows.length > opts.first,
    };
  }

  async get(asker: Asker, id: string): Promise<ContractRecord> {
    const cid = parseId(id);
    return this.db.run(scopeOf(asker), (sql) => this.load(sql, cid));
  }

  /**
   * Creates the contract's account, or gives the existing one a new one-time password: the old
   * password and every session of the account stop working. The password is returned here once.
   */
  async issueCredentials(
    id: string,
    officer: Viewer,
  ): Promise<{ contract: ContractRecord; username: string; password: string }> {
    const cid = parseId(id);
    const { password, hash } = await AccountService.newOneTimePassword();
    const now = this.clock.now();
    let result: { contract: ContractRecord; username: string; accountId: string };
    try {
      result = await this.db.run(scopeOf(officer), async (tx) => {
        const accounts = tx.repo(UserAccountEntity);
        const [c] = await tx.query<{
          number: string;
          status: ContractStatus;
          participant_id: string;
          account_id: string | null;
          username: string | null;
        }>(
          `SELECT c.number, c.status, c.participant_id::text AS participant_id, a.id::text AS account_id, a.username
             FROM contracts c LEFT JOIN user_accounts a ON a.contract_id = c.id
            WHERE c.id = $1 FOR UPDATE OF c`,
          [cid],
        );
        if (!c) throw new ContractNotFoundError(cid);
        if (c.status !== 'ACTIVE') {
          throw new BadUserInputError(
            `contract ${c.number} is ${c.status}: credentials are issued for active contracts only`,
            'contractId',
          );
        }
        let accountId = c.account_id;
        let username = c.username;
        if (accountId === null || username === null) {
          username = usernameForContract(c.number);
          const a = await accounts.insert({
            username,
            passwordHash: hash,
            role: 'TRADER',
            participantId: c.participant_id,
            contractId: cid,
            mustChangePassword: true,
            passwordChangedAt: now,
            createdAt: now,
          });
          accountId = String(a.identifiers[0].id);
        } else {
          await accounts.update(accountId, {
            passwordHash: hash,
            mustChangePassword: true,
            passwordChangedAt: now,
            disabledAt: null,
          });
        }
        // The first issue is the one the one-month term is about: a re-issue keeps its time and officer.
        const contracts = tx.repo(ContractEntity);
        await contracts.update(
          { id: cid, credentialsIssuedAt: IsNull() },
          { credentialsIssuedAt: now, credentialsIssuedBy: officer.userAccountId },
        );
        await contracts.update(cid, { credentialsLastIssuedAt: now, credentialsLastIssuedBy: officer.userAccountId });
        // In this transaction: a session opened with the old password cannot outlive this.
        await this.sessions.revokeAllIn(tx, { userAccountId: accountId });
        return { contract: await this.load(tx, cid), username, accountId };
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw new BadUserInputError('the username of this contract is taken by another account', 'contractId');
      throw scrubbed(e, 'issuing credentials');
    }
    await this.throttle.clearUsername(result.username);
    return { contract: result.contract, username: result.username, password };
  }

  /**
   * ACTIVE → SUSPENDED: password logins under the contract are refused and its password sessions revoked
   * (and refused by the session look-up) until it is resumed. Signature and portal logins of the
   * participant are not this contract's: blocking the participant refuses those (ParticipantBlockService).
   */
  suspend(id: string, reason: string, officer: Viewer): Promise<ContractRecord> {
    return this.changeStatus(id, reason, officer, ['ACTIVE'], 'SUSPENDED');
  }

  /** SUSPENDED → ACTIVE. */
  resume(id: string, reason: string, officer: Viewer): Promise<ContractRecord> {
    return this.changeStatus(id, reason, officer, ['SUSPENDED'], 'ACTIVE');
  }

  /** ACTIVE or SUSPENDED → TERMINATED (final): the account is disabled and its password sessions revoked. */
  terminate(id: string, reason: string, officer: Viewer): Promise<ContractRecord> {
    return this.changeStatus(id, reason, officer, ['ACTIVE', 'SUSPENDED'], 'TERMINATED');
  }

  private async changeStatus(
    id: string,
    rawReason: string,
    officer: Viewer,
    from: ContractStatus[],
    to: ContractStatus,
  ): Promise<ContractRecord> {
    const cid = parseId(id);
    const reason = trimmed(rawReason);
    if (!reason) throw new BadUserInputError('reason: give the reason for the decision', 'reason');
    if (reason.length > MAX_REASON_LENGTH)
      throw new BadUserInputError(`reason: at most ${MAX_REASON_LENGTH} characters`, 'reason');
    const now = this.clock.now();
    return this.db.run(scopeOf(officer), async (tx) => {
      const [c] = await tx.query<{ number: string; status: ContractStatus }>(
        `SELECT number, status FROM contracts WHERE id = $1 FOR UPDATE`,
        [cid],
      );
      if (!c) throw new ContractNotFoundError(cid);
      if (!from.includes(c.status)) {
        throw new BadUserInputError(
          `contract ${c.number} is ${c.status}; only ${from.join(' or ')} contracts can become ${to}`,
          'id',
        );
      }
      await tx.repo(ContractEntity).update(cid, {
        status: to,
        statusReason: reason,
        statusChangedAt: now,
        statusChangedBy: officer.userAccountId,
      });
      const accounts = tx.repo(UserAccountEntity);
      if (to === 'TERMINATED') await accounts.update({ contractId: cid }, { disabledAt: now });
      const account = await accounts.findOne({ select: { id: true }, where: { contractId: cid } });
      // With the status change, in one commit. A login racing with this is refused by its confirm
      // step (AccountService.stillValid) or, failing that, by the session look-up.
      if (to !== 'ACTIVE' && account) await this.sessions.revokeAllIn(tx, { userAccountId: account.id });
      return this.load(tx, cid);
    });
  }

  private async load(sql: Sql, id: string): Promise<ContractRecord> {
    const [r] = await sql.query<ContractRecord>(`${SELECT} WHERE c.id = $2`, [this.today(), id]);
    if (!r) throw new ContractNotFoundError(id);
    return r;
  }

  private validate(input: ContractInputData) {
    const number = trimmed(input.contractNumber);
    if (!number || number.length > MAX_NUMBER_LENGTH || !/^[A-Za-z0-9][A-Za-z0-9 ./_-]*$/.test(number)) {
      throw new BadUserInputError(
        `contractNumber: 1 to ${MAX_NUMBER_LENGTH} characters A-Z, a-z, 0-9, space and . / _ -, ` +
          'starting with a letter or digit',
        'contractNumber',
      );
    }
    const numberKey = contractNumberKey(number);
    if (!isCalendarDate(input.signedDate)) throw new BadUserInputError('signedDate: expected YYYY-MM-DD', 'signedDate');
    if (input.signedDate > this.today())
      throw new BadUserInputError('signedDate: cannot be in the future', 'signedDate');
    const name = trimmed(input.name);
    if (!name || name.length > MAX_NAME_LENGTH)
      throw new BadUserInputError(`name: 1 to ${MAX_NAME_LENGTH} characters`, 'name');

    const voen = trimmed(input.voen);
    const fin = trimmed(input.fin)?.toUpperCase() ?? null;
    const gooen = trimmed(input.gooen)?.toUpperCase() ?? null;
    if (voen !== null && !/^[0-9]{10}$/.test(voen)) throw new BadUserInputError('voen: a VÖEN is 10 digits', 'voen');
    if (fin !== null && !/^[0-9A-Z]{7}$/.test(fin))
      throw new BadUserInputError('fin: a FIN is 7 letters and digits', 'fin');
    if (gooen !== null && !/^[0-9A-Z]{3,30}$/.test(gooen))
      throw new BadUserInputError('gooen: 3 to 30 letters and digits', 'gooen');
    const nonCommercial = input.nonCommercial ?? false;
    if (input.kind === 'LEGAL_ENTITY') {
      if (voen === null) throw new BadUserInputError('voen: a legal entity is identified by its VÖEN', 'voen');
      if (fin !== null || gooen !== null) {
        throw new BadUserInputError(
          'a legal entity is identified by its VÖEN only: leave fin and gooen empty',
          fin !== null ? 'fin' : 'gooen',
        );
      }
    } else {
      if (fin === null)
        throw new BadUserInputError('fin: a natural person needs the FIN of the identity document', 'fin');
      if (voen === null && gooen === null) {
        throw new BadUserInputError('a natural person needs a VÖEN or, without one, a GÖÖEN', 'gooen');
      }
      if (nonCommercial) throw new BadUserInputError('nonCommercial: applies to legal entities only', 'nonCommercial');
    }

    const documents = CONTRACT_DOCUMENTS.filter((d) => input.documents.includes(d));
    const unknown = input.documents.filter((d) => !(CONTRACT_DOCUMENTS as readonly string[]).includes(d));
    if (unknown.length > 0) throw new BadUserInputError(`documents: unknown ${unknown.join(', ')}`, 'documents');
    const missing = missingDocuments(input.kind, { nonCommercial, hasVoen: voen !== null }, documents);
    if (missing.length > 0) {
      throw new BadUserInputError(`documents: missing required ${missing.join(', ')}`, 'documents', {
        missingDocuments: missing,
      });
    }
    return {
      number,
      numberKey,
      signedDate: input.signedDate,
      nonCommercial,
      documents,
      participant: { kind: input.kind, name, voen, fin, gooen },
    };
  }
}
