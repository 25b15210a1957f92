/**
 * Who may call each root operation, as the operation decorators of src/graphql/auth.ts declare it
 * (OfficerQuery, TraderQuery, SessionQuery, AnySessionMutation…): a frozen table, so that a decorator
 * that applies the wrong access, or none, fails here. access.spec.ts checks what callers are told.
 */
import { expect } from 'chai';
import { graphql } from 'graphql';
import { buildSchema, getMetadataStorage, Query, Resolver } from 'type-graphql';
import type { Viewer } from '../../src/auth/viewer';
import { authChecker, OfficerCall, TraderCall } from '../../src/graphql/auth';
import { buildAppSchema } from '../../src/graphql/schema';

const OFFICER = '["OFFICER"]';
const TRADER = '["TRADER"]';
const LIVE_SESSION = '[]';
const ONE_TIME_TOO = '["PASSWORD_CHANGE"]';
const OPEN = 'open';

const DECLARED: Record<string, string> = {
  'mutation answerComplaint': OFFICER,
  'mutation blockParticipant': OFFICER,
  'mutation changePassword': ONE_TIME_TOO,
  'mutation createLoginChallenge': OPEN,
  'mutation fileComplaint': OPEN,
  'mutation issueCredentials': OFFICER,
  'mutation login': OPEN,
  'mutation loginWithPortalAssertion': OPEN,
  'mutation loginWithSignature': OPEN,
  'mutation loginWithWebEid': OPEN,
  'mutation logout': ONE_TIME_TOO,
  'mutation recordPaperComplaint': OFFICER,
  'mutation registerContract': OFFICER,
  'mutation resumeContract': OFFICER,
  'mutation startComplaintReview': OFFICER,
  'mutation suspendContract': OFFICER,
  'mutation terminateContract': OFFICER,
  'mutation unblockParticipant': OFFICER,
  'query auditConsistencyProof': LIVE_SESSION,
  'query auditInclusionProof': LIVE_SESSION,
  'query auditLog': OFFICER,
  'query complaints': OFFICER,
  'query contract': OFFICER,
  'query contracts': OFFICER,
  'query countries': OPEN,
  'query declaration': TRADER,
  'query declarations': TRADER,
  'query labels': OPEN,
  'query me': LIVE_SESSION,
  'query myComplaints': TRADER,
  'query myQueryHistory': TRADER,
  'query participantBlocks': OFFICER,
  'query rateLimit': OPEN,
  'query serviceStatistics': OFFICER,
  'query statisticalExtract': TRADER,
  'query tradeStatistics': TRADER,
};

/** A resolver whose caller parameters lack the operation decorator that checks the role. */
@Resolver()
class UndeclaredAccessResolver {
  @Query(() => String)
  officerWithoutAccess(@OfficerCall() { officer }: OfficerCall): string {
    return officer.role;
  }

  @Query(() => String)
  traderWithoutAccess(@TraderCall() { trader }: TraderCall): string {
    return trader.participantId;
  }
}

describe('declared access of the root operations (src/graphql/auth.ts)', () => {
  it('gives every query and mutation of the schema the access in the table', async () => {
    const schema = await buildAppSchema();
    const s = getMetadataStorage();
    const declared: Record<string, string> = {};
    for (const [kind, handlers] of [
      ['query', s.queries],
      ['mutation', s.mutations],
    ] as const) {
      for (const h of handlers) {
        if (h.target === UndeclaredAccessResolver) continue;
        const a = s.authorizedFields.find((f) => f.target === h.target && f.fieldName === h.methodName);
        declared[`${kind} ${h.schemaName}`] = a ? JSON.stringify(a.roles) : OPEN;
      }
    }
    expect(declared).to.deep.equal(DECLARED);
    const inSchema = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((n) => `query ${n}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((n) => `mutation ${n}`),
    ];
    expect(inSchema.sort()).to.deep.equal(Object.keys(DECLARED).sort());
  });

  it('refuses, as a programming error, an OfficerCall or TraderCall that no access check guards', async () => {
    const schema = await buildSchema({ resolvers: [UndeclaredAccessResolver], authChecker, validate: false });
    const trader = { role: 'TRADER', participantId: '7' } as Viewer;
    const officer = { role: 'OFFICER', participantId: null } as Viewer;
    const ask = async (source: string, viewer: Viewer) =>
      (await graphql({ schema, source, contextValue: { viewer } })).errors?.map((e) => e.message);
    expect(await ask('{ officerWithoutAccess }', trader)).to.deep.equal([
      '@OfficerCall used without @OfficerQuery/@OfficerMutation',
    ]);
    expect(await ask('{ traderWithoutAccess }', officer)).to.deep.equal(['@TraderCall used without @TraderQuery']);
    expect(await ask('{ officerWithoutAccess }', officer)).to.equal(undefined);
    expect(await ask('{ traderWithoutAccess }', trader)).to.equal(undefined);
  });
});
