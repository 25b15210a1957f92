/**
 * The application's services, built once per process and shared by every request. Resolvers
 * reach them through the GraphQL context; nothing here knows about GraphQL.
 */
import type { DataSource } from 'typeorm';
import { AuditService } from './audit/audit.service';
import { SessionService } from './auth/session.service';
import { listenerConnection, RevocationListener, SessionCache } from './auth/session-cache';
import { AccountService } from './auth/account.service';
import { LoginThrottle } from './auth/login-throttle';
import { LoginService } from './auth/login.service';
import { PasswordProvider } from './auth/providers/password.provider';
import { ContractService } from './contracts/contract.service';
import { ComplaintService } from './complaints/complaints.service';
import { ParticipantBlockService } from './contracts/participant-blocks';
import type { AppConfig } from './config';
import { ChallengeService } from './auth/challenge.service';
import { CmsSignatureProvider } from './auth/providers/cms-signature.provider';
import { PortalProvider } from './auth/providers/portal.provider';
import { WebEidProvider } from './auth/providers/web-eid.provider';
import { createPkiVerifier, type PkiVerifier } from './pki';
import { ExtractService } from './extracts/extract.service';
import { DocumentSigner } from './extracts/sign';
import { reservedPoolOf } from './db/pool';
import { ReservedRequestDb } from './db/reserved-db';
import type { RequestDb } from './db/tenant';
import { FairShare } from './limits/fair-share';
import { ListMaxima } from './limits/list-maxima';
import { OperationGatedDb } from './limits/operation-gate';
import {
  auditBatchMetrics,
  auditIntegrityMetrics,
  createMetrics,
  sessionCacheMetrics,
  type Metrics,
} from './ops/metrics';
import { systemClock, type Clock } from './shared/clock';

export interface Services {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly ds: DataSource;
  /** Request-scoped queries under the request role and row-level security (one connection at a time per operation). */
  readonly db: RequestDb;
  /** The same on the reserved pool (DB_RESERVED_POOL_MAX): session look-ups and the audit writer. */
  readonly reservedDb: RequestDb;
  /** Fair share: rate budget and request slots per participant; list maxima for the cost estimate (src/limits). */
  readonly limits: { readonly fair: FairShare; readonly listMaxima: ListMaxima };
  /** Prometheus registry of this service set (served at /metrics). */
  readonly metrics: Metrics;
  readonly sessions: SessionService;
  /** The session cache's revocation listener (SESSION_CACHE_SECONDS): started and stopped with the HTTP server. */
  readonly sessionRevocations: RevocationListener;
  /** Query accounting: append-only, hash-chained audit records (group commit) and signed checkpoints. */
  readonly audit: AuditService;
  /** Password accounts (officers, contract holders): change password, create officers. */
  readonly accounts: AccountService;
  /** The one login flow: a provider's principal becomes a session. */
  readonly login: LoginService;
  /** Contracts, their documents checklist and credentials (officers). */
  readonly contracts: ContractService;
  /** Officers' blocks of participants: every login refused, every session revoked. */
  readonly blocks: ParticipantBlockService;
  /** Complaint intake and handling (regulation 3.5). */
  readonly complaints: ComplaintService;
  /** E-signature verification against the configured national trust anchors and CRLs. */
  readonly pki: PkiVerifier;
  readonly challenges: ChallengeService;
  /** Signed statistical extracts (the service's document-signing key). */
  readonly extracts: ExtractService;
  /** The login methods: password (lockout, per-address limits), signature (CMS), Web eID, e-gov portal. */
  readonly loginProviders: {
    password: PasswordProvider;
    cms: CmsSignatureProvider;
    webEid: WebEidProvider;
    portal: PortalProvider;
  };
}

export function createServices(config: AppConfig, ds: DataSource, clock: Clock = systemClock): Services {
  const db = new OperationGatedDb(ds, config.db.appRole, config.db.statementTimeoutMs);
  // Looked up on first use: a DataSource not built by dataSourceFor (some tests) has none until then.
  const reserved = () => reservedPoolOf(ds, config.db.reservedPoolMax);
  const reservedDb = new ReservedRequestDb(ds, reserved, config.db.appRole, config.db.statementTimeoutMs);
  const metrics = createMetrics(ds);
  const sessionCache: SessionCache = new SessionCache({
    seconds: config.session.cacheSeconds,
    onLookup: (result) => cacheLookups(result),
  });
  const cacheLookups = sessionCacheMetrics(metrics, () => sessionCache.listening);
  const sessionRevocations = new RevocationListener(sessionCache, listenerConnection(ds));
  const sessions = new SessionService(reservedDb, clock, config.session, sessionCache);
  const throttle = new LoginThrottle(db, clock, config.login);
  const accounts = new AccountService(db, clock, throttle, sessions);
  const pki = createPkiVerifier(config.pki);
  const blocks = new ParticipantBlockService(db, clock, sessions);
  const challenges = new ChallengeService(db, clock, { origin: config.http.publicOrigin, ...config.challenge });
  const audit = new AuditService(ds, reservedDb, config, clock, {
    onBatch: auditBatchMetrics(metrics),
    onIntegrity: auditIntegrityMetrics(metrics),
  });
  return {
    config,
    clock,
    ds,
    db,
    reservedDb,
    limits: {
      fair: new FairShare(reserved, clock, config.limits, config.db.statementTimeoutMs),
      listMaxima: new ListMaxima(reserved),
    },
    metrics,
    sessions,
    sessionRevocations,
    audit,
    accounts,
    login: new LoginService(sessions),
    contracts: new ContractService(db, clock, config.timeZone, sessions, throttle),
    blocks,
    complaints: new ComplaintService(db, clock, { ...config.complaints, timeZone: config.timeZone }),
    pki,
    challenges,
    extracts: new ExtractService(db, audit, clock, new DocumentSigner(config.extract)),
    loginProviders: {
      password: new PasswordProvider(accounts, throttle, sessions),
      cms: new CmsSignatureProvider(db, challenges, pki),
      webEid: new WebEidProvider(db, challenges, pki, config.http.publicOrigin),
      portal: new PortalProvider(db, pki, clock),
    },
  };
}
