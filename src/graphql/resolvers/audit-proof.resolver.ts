import { Arg, Resolver } from 'type-graphql';
import { SessionQuery, ViewerCall } from '../auth';
import { scopeOf } from '../../db/tenant';
import { auditConsistencyProof, auditInclusionProof } from '../../audit/proofs';
import type { GraphQLContext } from '../context';
import { AuditConsistencyProof, AuditInclusionProof } from '../types/audit-proof.type';

const hex = (b: Buffer) => b.toString('hex');

/** When to ask again for a proof no checkpoint covers yet: the checkpoint interval (5 s when off here). */
function retryAfter(ctx: GraphQLContext): number {
  return ctx.services.config.audit.checkpointSeconds || 5;
}

@Resolver()
export class AuditProofResolver {
  @SessionQuery(
    () => AuditInclusionProof,
    'The inclusion proof of audit record `seq` (a response receipt) in the newest signed checkpoint, with the record content. ' +
      "Traders: their own records only (another participant's seq is NOT_FOUND, as a missing one); officers: any. " +
      'AUDIT_PROOF_PENDING (retryAfterSeconds) until a checkpoint covers it.',
  )
  async auditInclusionProof(
    @ViewerCall() { ctx, viewer }: ViewerCall,
    @Arg('seq', () => String) seq: string,
  ): Promise<AuditInclusionProof> {
    const participantId = viewer.role === 'OFFICER' ? null : viewer.participantId;
    if (viewer.role !== 'OFFICER' && participantId === null) throw new Error('a trader session without a participant');
    const p = await ctx.services.db.run(scopeOf(viewer), (sql) =>
      auditInclusionProof(sql, seq, {
        participantId,
        keyId: ctx.services.audit.key.keyId,
        retryAfterSeconds: retryAfter(ctx),
      }),
    );
    return Object.assign(new AuditInclusionProof(), {
      seq: p.seq,
      treeSize: String(p.treeSize),
      leafHash: hex(p.leafHash),
      recordHash: hex(p.recordHash),
      record: p.record,
      proof: p.proof.map(hex),
      rootHash: hex(p.rootHash),
      checkpoint: p.checkpoint,
    });
  }

  @SessionQuery(
    () => AuditConsistencyProof,
    'The consistency proof between the signed checkpoints of tree sizes fromSize ≤ toSize (decimal strings). ' +
      'AUDIT_PROOF_PENDING (retryAfterSeconds) when toSize is beyond the newest checkpoint.',
  )
  async auditConsistencyProof(
    @ViewerCall() { ctx, viewer }: ViewerCall,
    @Arg('fromSize', () => String) fromSize: string,
    @Arg('toSize', () => String) toSize: string,
  ): Promise<AuditConsistencyProof> {
    const p = await ctx.services.db.run(scopeOf(viewer), (sql) =>
      auditConsistencyProof(sql, fromSize, toSize, {
        keyId: ctx.services.audit.key.keyId,
        retryAfterSeconds: retryAfter(ctx),
      }),
    );
    return Object.assign(new AuditConsistencyProof(), {
      fromSize: String(p.fromSize),
      toSize: String(p.toSize),
      proof: p.proof.map(hex),
      fromCheckpoint: p.fromCheckpoint,
      toCheckpoint: p.toCheckpoint,
    });
  }
}
