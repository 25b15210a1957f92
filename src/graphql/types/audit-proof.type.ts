import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'An RFC 6962 inclusion proof of one audit record in the tree of the newest signed checkpoint. Hashes are lowercase hex. ' +
    'Check it offline: SHA-256 of `record` is the record hash, SHA-256(0x00 ‖ record hash) is `leafHash`, the proof leads ' +
    'from leaf `seq` − 1 to the root of `checkpoint` (a C2SP signed note; `npm run verify-receipt`, src/audit/README.md).',
})
export class AuditInclusionProof {
  @Field({ description: "The record's chain position, as a decimal string (leaf index seq − 1)." }) seq: string;
  @Field({ description: 'The size of the tree the proof is for: the signed checkpoint below.' }) treeSize: string;
  @Field({ description: 'SHA-256(0x00 ‖ recordHash): the leaf, as in the response receipt.' }) leafHash: string;
  @Field({ description: "The record's hash: SHA-256 of `record`." }) recordHash: string;
  @Field({
    description:
      "The record's canonical content (a JSON array, src/audit/record.ts): its 3rd element is the seq, its 23rd the response hash.",
  })
  record: string;
  @Field(() => [String], { description: 'The audit path, sibling hashes from the leaf up (RFC 9162 §2.1.3).' })
  proof: string[];
  @Field({ description: 'The root of the tree of treeSize records (base64 in the checkpoint).' }) rootHash: string;
  @Field({ description: 'The signed checkpoint (C2SP tlog-checkpoint in a signed note) of treeSize.' })
  checkpoint: string;
}

@ObjectType({
  description:
    'An RFC 6962 consistency proof: the tree of fromSize records is a prefix of the tree of toSize records (RFC 9162 §2.1.4). Hashes are lowercase hex.',
})
export class AuditConsistencyProof {
  @Field() fromSize: string;
  @Field() toSize: string;
  @Field(() => [String]) proof: string[];
  @Field({ description: 'The signed checkpoint of fromSize.' }) fromCheckpoint: string;
  @Field({ description: 'The signed checkpoint of toSize.' }) toCheckpoint: string;
}
