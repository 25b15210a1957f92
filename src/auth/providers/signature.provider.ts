/**
 * The second way in (regulation 2.6 (2)): a national e-signature certificate, proven by signing a
 * server challenge (CMS, or a Web eID token over the same challenge), or an assertion of the
 * e-gov portal vouching for a user it authenticated. Verification is src/pki's; here the challenge
 * is consumed, the assertion id spent, and the certificate subject mapped to a participant.
 */
import type { RequestDb } from '../../db/tenant';
import type { PkiVerifier, SubjectMapping } from '../../pki';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import type { AuthProvider, AuthRequestContext, Principal } from '../auth-provider';
import type { ChallengeService } from '../challenge.service';

/** The participant a certificate or assertion subject names, or PARTICIPANT_NOT_FOUND. */
export async function participantFor(db: RequestDb, mapping: SubjectMapping): Promise<string> {
  const rows = await db.run(null, (sql) =>
    mapping.kind === 'LEGAL_ENTITY'
      ? sql.query<{ id: string }>(`SELECT id::text AS id FROM participants WHERE voen = $1`, [mapping.voen])
      : sql.query<{ id: string }>(`SELECT id::text AS id FROM participants WHERE fin = $1`, [mapping.fin]),
  );
  if (!rows[0]) {
    throw new AppError(
      'PARTICIPANT_NOT_FOUND',
      mapping.kind === 'LEGAL_ENTITY'
        ? `no participant with VÖEN ${mapping.voen} is registered with the service`
        : `no participant with FIN ${mapping.fin} is registered with the service`,
    );
  }
  return rows[0].id;
}

function traderPrincipal(
  participantId: string,
  method: 'SIGNATURE' | 'PORTAL',
  detail: Record<string, unknown>,
): Principal {
  return {
    role: 'TRADER',
    authMethod: method,
    participantId,
    userAccountId: null,
    username: null,
    mustChangePassword: false,
    detail,
  };
}

export class SignatureProvider implements AuthProvider<{ challengeId: string; signature: string }> {
  readonly method = 'SIGNATURE' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly challenges: ChallengeService,
    private readonly pki: PkiVerifier,
  ) {}

  async authenticate(input: { challengeId: string; signature: string }, ctx: AuthRequestContext): Promise<Principal> {
    const challenge = await this.challenges.consume(input.challengeId);
    const signer = await this.pki.verifyCmsLogin({
      signatureBase64: input.signature,
      toBeSigned: challenge.toBeSigned,
      now: ctx.now,
    });
    const participantId = await participantFor(this.db, signer.mapping);
    return traderPrincipal(participantId, 'SIGNATURE', {
      format: 'CMS',
      certificateSha256: signer.fingerprintSha256,
      subjectSerialNumber: signer.subject.serialNumber ?? null,
      organizationIdentifier: signer.subject.organizationIdentifier ?? null,
    });
  }
}

export class WebEidProvider implements AuthProvider<{ challengeId: string; token: string }> {
  readonly method = 'SIGNATURE' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly challenges: ChallengeService,
    private readonly pki: PkiVerifier,
    private readonly origin: string,
  ) {}

  async authenticate(input: { challengeId: string; token: string }, ctx: AuthRequestContext): Promise<Principal> {
    const challenge = await this.challenges.consume(input.challengeId);
    const signer = await this.pki.verifyWebEidToken({
      token: input.token,
      challengeNonce: challenge.nonce,
      origin: this.origin,
      now: ctx.now,
    });
    const participantId = await participantFor(this.db, signer.mapping);
    return traderPrincipal(participantId, 'SIGNATURE', {
      format: 'WEB_EID',
      certificateSha256: signer.fingerprintSha256,
      subjectSerialNumber: signer.subject.serialNumber ?? null,
    });
  }
}

export class PortalProvider implements AuthProvider<{ assertion: string }> {
  readonly method = 'PORTAL' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly pki: PkiVerifier,
    private readonly clock: Clock,
  ) {}

  async authenticate(input: { assertion: string }, ctx: AuthRequestContext): Promise<Principal> {
    const a = await this.pki.verifyPortalAssertion({ assertionBase64: input.assertion, now: ctx.now });
    const participantId = await participantFor(this.db, a.mapping);
    // Spend the assertion id only after its signature and claims verified: nobody can burn ids.
    const now = this.clock.now();
    const spent = await this.db.run(null, async (sql) => {
      await sql.query(`DELETE FROM used_portal_assertions WHERE expires_at < $1`, [now]);
      return sql.query(
        `INSERT INTO used_portal_assertions (jti, expires_at, used_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING RETURNING jti`,
        [a.jti, a.expiresAt, now],
      );
    });
    if (spent.length === 0) throw new AppError('ASSERTION_REPLAYED', 'this portal assertion was already used');
    return traderPrincipal(participantId, 'PORTAL', {
      authnMethod: a.authnMethod,
      jti: a.jti,
      portalCertificateSha256: a.signer.fingerprintSha256,
    });
  }
}
