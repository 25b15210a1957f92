/**
 * User accounts that log in with a username and password: officers (created on the command
 * line) and traders (one per contract, created by issueCredentials). The request role cannot read
 * a stored hash (migration 1764000001200): a password is checked by hashing it with the stored
 * parameters and salt (auth_password_params) and letting the database compare the digest
 * (auth_password_login); a hash is replaced through auth_set_password. New hashes are written
 * here and in issueCredentials; errors raised around statements that carry one are replaced by
 * errors without the statement's parameters.
 */
import { UserAccountEntity } from '../db/entities';
import { ANONYMOUS, scopeOf, type Asker, type RequestDb, type Sql } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { AppError, BadUserInputError, ForbiddenError, UnauthenticatedError } from '../shared/errors';
import type { LoginThrottle } from './login-throttle';
import {
  checkNewPassword,
  dummyHash,
  generateOneTimePassword,
  hashPassword,
  normaliseUsername,
  passwordDigest,
  USERNAME_RE,
  type StoredPassword,
} from './password';
import type { SessionService } from './session.service';
import type { Role, Viewer } from './viewer';

/** The one message of every failed password check: it does not say which part was wrong. */
export const WRONG_CREDENTIALS = 'wrong username or password';

/** Trader usernames are `c-<normalised contract number>`; officers may not take that prefix. */
export const TRADER_USERNAME_PREFIX = 'c-';

export interface LoginAccount {
  id: string;
  username: string;
  role: Role;
  participantId: string | null;
  contractId: string | null;
  contractStatus: 'ACTIVE' | 'SUSPENDED' | 'TERMINATED' | null;
  contractNumber: string | null;
  mustChangePassword: boolean;
  passwordChangedAt: Date;
  disabled: boolean;
}

/** An account whose password was just checked: the digest that matched and the parameters it was made with. */
export interface CheckedAccount extends LoginAccount {
  readonly stored: StoredPassword;
  readonly digest: string;
}

/** The officer scope of the create-officer command: it acts for the authority. */
const AUTHORITY: Asker = { role: 'OFFICER', participantId: null };

/** A database error stripped of the statement and its parameters (which may hold a hash). */
export function scrubbed(e: unknown, what: string): Error {
  if (e instanceof AppError) return e;
  const code = (e as { code?: unknown })?.code;
  return new Error(`${what} failed${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`);
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = err?.code ?? err?.driverError?.code;
  const name = err?.constraint ?? err?.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** The normalised form of an officer's username, or BAD_USER_INPUT saying what is wrong with it. */
export function officerUsername(raw: string): string {
  const username = normaliseUsername(raw);
  if (!USERNAME_RE.test(username)) {
    throw new BadUserInputError(
      'a username has 3 to 64 characters a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
      'username',
    );
  }
  if (username.startsWith(TRADER_USERNAME_PREFIX)) {
    throw new BadUserInputError(
      `usernames starting with "${TRADER_USERNAME_PREFIX}" are reserved for contracts`,
      'username',
    );
  }
  return username;
}

export class AccountService {
  constructor(
    private readonly db: RequestDb,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
  ) {}

  /** Creates an officer with a one-time password, returned here once and stored only as a hash. */
  async createOfficer(rawUsername: string): Promise<{ username: string; password: string }> {
    const username = officerUsername(rawUsername);
    const password = generateOneTimePassword();
    const hash = await hashPassword(password);
    const now = this.clock.now();
    try {
      await this.db.run(scopeOf(AUTHORITY), (tx) =>
        tx.repo(UserAccountEntity).insert({
          username,
          passwordHash: hash,
          role: 'OFFICER',
          mustChangePassword: true,
          passwordChangedAt: now,
          createdAt: now,
        }),
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new BadUserInputError(`the username ${username} is taken`, 'username');
      throw scrubbed(e, 'creating the officer account');
    }
    return { username, password };
  }

  /**
   * The account `username` names when `password` is its password, with its contract's status; null
   * otherwise. An unknown (or null: not a username) name costs the same argon2 work, against a dummy hash.
   */
  async checkPassword(username: string | null, password: string): Promise<CheckedAccount | null> {
    // Each step is one statement: one round trip (RequestDb.send).
    const [params] =
      username === null
        ? []
        : await this.db.send<{ params: string; digest_length: number }>(
            ANONYMOUS,
            `SELECT params, digest_length FROM auth_password_params($1::text)`,
            [username],
          );
    const stored = params ? { params: params.params, digestLength: params.digest_length } : await dummyHash();
    const digest = await passwordDigest(stored, password);
    if (!params || username === null || digest === '') return null;
    const [r] = await this.db.send<AccountRow>(
      ANONYMOUS,
      `SELECT id::text AS id, username, role, participant_id::text AS participant_id, contract_id::text AS contract_id,
              contract_status, contract_number, must_change_password, password_changed_at, disabled_at
         FROM auth_password_login($1::text, $2::text)`,
      [username, digest],
    );
    return r ? { ...toAccount(r), stored, digest } : null;
  }

  /**
   * After a session was opened: true when the account is still as it was when the password was
   * checked (not re-issued, suspended or disabled meanwhile). Closes the race with a concurrent
   * suspension or re-issue, whose session revocation may have run before the new session existed.
   * `who`: the principal of the login (its scope reads its own account).
   */
  async stillValid(who: Asker, accountId: string, passwordChangedAt: Date): Promise<boolean> {
    // One statement, one round trip.
    const a = await this.accountById(this.db.sending(scopeOf(who)), accountId);
    return (
      a !== null &&
      !a.disabled &&
      a.passwordChangedAt.getTime() === passwordChangedAt.getTime() &&
      (a.role === 'OFFICER' || a.contractStatus === 'ACTIVE')
    );
  }

  /** Replaces the stored hash after a login found it made with older parameters (`checked`: that login's account). */
  async rehash(checked: CheckedAccount, password: string): Promise<void> {
    const hash = await hashPassword(password);
    try {
      await this.db.send(ANONYMOUS, `SELECT auth_set_password($1::bigint, $2::text, $3::text, NULL) AS done`, [
        checked.id,
        checked.digest,
        hash,
      ]);
    } catch (e) {
      throw scrubbed(e, 'updating the password hash');
    }
  }

  /**
   * Checks the current password (counted like a login attempt), applies the policy, stores the
   * new hash and revokes every session of the account, the current one included: the user logs
   * in again with the new password.
   */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string, clientIp: string): Promise<void> {
    if (viewer.authMethod !== 'PASSWORD' || viewer.userAccountId === null) {
      throw new ForbiddenError('this session was not opened with a username and password');
    }
    const accountId = viewer.userAccountId;
    const account = await this.db.run(scopeOf(viewer), (sql) => this.accountById(sql, accountId));
    if (!account || account.disabled) throw new UnauthenticatedError('the account is disabled');
    checkNewPassword(newPassword, currentPassword);
    await this.throttle.begin(account.username, clientIp);
    const checked = await this.checkPassword(account.username, currentPassword);
    if (checked?.id !== accountId) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await this.throttle.succeeded(account.username, clientIp);
    const hash = await hashPassword(newPassword);
    const now = this.clock.now();
    let updated: boolean;
    try {
      const [r] = await this.db.run(ANONYMOUS, (sql) =>
        sql.query<{ done: boolean }>(`SELECT auth_set_password($1, $2, $3, $4) AS done`, [
          accountId,
          checked.digest,
          hash,
          now,
        ]),
      );
      updated = r.done;
    } catch (e) {
      throw scrubbed(e, 'storing the new password');
    }
    // A concurrent change or re-issue replaced the password first (or the account was disabled):
    // this one does not apply.
    if (!updated) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await this.sessions.revokeAll(scopeOf(viewer), { userAccountId: accountId });
  }

  /** A fresh one-time password for a trader account (new or existing); returns it with its hash. */
  static async newOneTimePassword(): Promise<{ password: string; hash: string }> {
    const password = generateOneTimePassword();
    return { password, hash: await hashPassword(password) };
  }

  /** The account with its contract's status (never the hash), as the scope of `sql` may see it. */
  private async accountById(sql: Sql, id: string): Promise<LoginAccount | null> {
    const [r] = await sql.query<AccountRow>(
      `SELECT a.id::text AS id, a.username, a.role, a.participant_id::text AS participant_id,
              a.contract_id::text AS contract_id, c.status AS contract_status, c.number AS contract_number,
              a.must_change_password, a.password_changed_at, a.disabled_at
         FROM user_accounts a LEFT JOIN contracts c ON c.id = a.contract_id
        WHERE a.id = $1`,
      [id],
    );
    return r ? toAccount(r) : null;
  }
}

interface AccountRow {
  id: string;
  username: string;
  role: Role;
  participant_id: string | null;
  contract_id: string | null;
  contract_status: LoginAccount['contractStatus'];
  contract_number: string | null;
  must_change_password: boolean;
  password_changed_at: Date;
  disabled_at: Date | null;
}

function toAccount(r: AccountRow): LoginAccount {
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    participantId: r.participant_id,
    contractId: r.contract_id,
    contractStatus: r.contract_status,
    contractNumber: r.contract_number,
    mustChangePassword: r.must_change_password,
    passwordChangedAt: new Date(r.password_changed_at),
    disabled: r.disabled_at !== null,
  };
}
