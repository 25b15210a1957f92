import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { graphqlEnum, type EnumValue } from './graphql-enum';

export const ExtractFormatEnum = graphqlEnum(['PDF', 'CSV'], {
  name: 'ExtractFormat',
  description: 'PDF (DejaVu Sans embedded; the CSV text attached as extract.csv) or CSV (UTF-8).',
});
export type ExtractFormatEnum = EnumValue<typeof ExtractFormatEnum>;

@ObjectType({
  description:
    'The audit record that registered a statistical extract, written before the document was made; the operation that returned it has its own record with the same request id.',
})
export class ExtractAuditReference {
  @Field(() => ID, { description: 'The registration record (auditLog id; myQueryHistory shows it to the trader).' })
  recordId: string;
  @Field({ description: 'Its position in the audit hash chain, as a decimal string.' }) recordSeq: string;
  @Field({ description: 'The request id both records carry.' }) requestId: string;
  @Field({
    description:
      'SHA-256 (hex) of the figures block of the document; the registration record holds it as its response hash.',
  })
  figuresSha256: string;
}

@ObjectType({
  description:
    'A statistical extract signed by the service: the document and its detached CMS signature (openssl cms -verify or npm run verify-extract).',
})
export class StatisticalExtract {
  @Field({ description: 'A file name for the document; the signature is the same name plus .p7s.' }) fileName: string;
  @Field({ description: 'application/pdf or text/csv; charset=utf-8.' }) contentType: string;
  @Field({ description: 'The document bytes, base64.' }) document: string;
  @Field({ description: 'SHA-256 (hex) of the document bytes.' }) documentSha256: string;
  @Field({ description: 'The detached CMS SignedData (DER), base64.' }) signature: string;
  @Field() signatureFileName: string;
  @Field(() => DateTimeScalar, { description: 'The time of issue (also the signingTime of the signature).' })
  issuedAt: Date;
  @Field(() => ExtractAuditReference) audit: ExtractAuditReference;
}
