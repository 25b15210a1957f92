/**
 * E-gov portal login (regulation 2.6 (2)): a signed assertion of the national portal vouching for
 * a user it authenticated. Verification is src/pki's; here the subject is mapped to a participant
 * and the assertion id spent, so an assertion logs in once.
 */
import { ANONYMOUS, type RequestDb } from '../../db/tenant';
import type { PkiVerifier } from '../../pki';
import type { Clock } from '../../shared/clock';
import { AssertionReplayedError } from '../../shared/errors';
import type { AuthProvider, AuthRequestContext, PortalPrincipal } from '../auth-provider';
import { participantFor, traderOf } from './participant-of-subject';

export interface PortalInput {
  /** Base64 DER CMS SignedData with the attached JSON claims. */
  readonly assertion: string;
}

export class PortalProvider implements AuthProvider<PortalInput, PortalPrincipal> {
  readonly method = 'PORTAL' as const;
  constructor(
    private readonly db: RequestDb,
    private readonly pki: PkiVerifier,
    private readonly clock: Clock,
  ) {}

  async authenticate(input: PortalInput, ctx: AuthRequestContext): Promise<PortalPrincipal> {
    const a = await this.pki.verifyPortalAssertion({ assertionBase64: input.assertion, now: ctx.now });
    const participantId = await participantFor(this.db, a.mapping);
    // Spend the assertion id only after its signature and claims verified: nobody can burn ids.
    const now = this.clock.now();
    // One statement, one round trip: ids that expired are purged, and an expired row of this very id is
    // taken over (as if purged first); a live one refuses the replay. The purge leaves this id's row to the
    // INSERT: one statement must not both delete and update a row.
    const spent = await this.db.send(
      ANONYMOUS,
      `WITH purged AS (DELETE FROM used_portal_assertions WHERE expires_at < $3 AND jti <> $1)
       INSERT INTO used_portal_assertions AS u (jti, expires_at, used_at) VALUES ($1, $2, $3)
       ON CONFLICT (jti) DO UPDATE SET expires_at = EXCLUDED.expires_at, used_at = EXCLUDED.used_at
        WHERE u.expires_at < $3
       RETURNING jti`,
      [a.jti, a.expiresAt, now],
    );
    if (spent.length === 0) throw new AssertionReplayedError();
    return {
      ...traderOf(participantId),
      authMethod: 'PORTAL',
      detail: { authnMethod: a.authnMethod, jti: a.jti, portalCertificateSha256: a.signer.fingerprintSha256 },
    };
  }
}
