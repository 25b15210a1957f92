/**
 * statisticalExtract: the viewer's tradeStatistics figures as a signed document (PDF or CSV) with a detached CMS
 * signature of the service's document-signing key.
 *
 * Order, so that the document can name the audit record that registered it (the GraphQL audit plugin writes the
 * operation's own record only after the resolver has returned):
 *   1. the figures: the same statement tradeStatistics runs, under the viewer's tenant (all groups: more than
 *      MAX_EXTRACT_GROUPS is BAD_USER_INPUT, an extract is never truncated);
 *   2. a registration record is appended to the audit chain (actor, request id, root field statisticalExtract,
 *      operation name `statisticalExtract:registration`, the query as its variables, the number of groups as
 *      rows, and the SHA-256 of the figures block as its response hash) and committed;
 *   3. the document names that record (id, seq, request id) and the figures' SHA-256, and is signed;
 *   4. the plugin then writes the operation's record (same request id) with the hash of the response that
 *      carries the document and the signature.
 * Whoever holds the extract can ask an officer (auditLog) or, as the trader, myQueryHistory for the record and
 * compare its response hash with the SHA-256 of the figures block.
 */
import type { Viewer } from '../auth/viewer';
import type { AuditService } from '../audit/audit.service';
import { cleanText, type AuditEntryInput } from '../audit/record';
import { traderScope, type RequestDb } from '../db/tenant';
import type { Clock } from '../shared/clock';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
import { tradeStatistics, type TradeDimension } from '../statistics/statistics.service';
import type { TradeFilter } from '../statistics/trade-filter';
import {
  figuresCsv,
  filterJson,
  sha256Hex,
  statementCsv,
  type ExtractFormat,
  type ExtractParticipant,
  type ExtractStatement,
} from './document';
import { renderPdf } from './pdf';
import type { DocumentSigner } from './sign';

/** Groups one extract may hold (a signed document is never cut short: more is BAD_USER_INPUT). */
export const MAX_EXTRACT_GROUPS = 2000;
export const REGISTRATION_OPERATION = 'statisticalExtract:registration';

export interface ExtractRequest {
  readonly viewer: Viewer;
  readonly requestId: string;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  readonly filter: TradeFilter;
  /** The filter as the API states it (direction IMPORT/EXPORT), named in the document. */
  readonly apiFilter: Readonly<Record<string, string>>;
  readonly groupBy: readonly TradeDimension[];
  readonly format: ExtractFormat;
}

export interface IssuedExtract {
  readonly fileName: string;
  readonly contentType: string;
  readonly document: Buffer;
  readonly signatureFileName: string;
  /** DER of the detached CMS SignedData. */
  readonly signature: Buffer;
  readonly issuedAt: Date;
  readonly auditRecordId: string;
  readonly auditRecordSeq: string;
  readonly requestId: string;
  readonly figuresSha256: string;
  readonly documentSha256: string;
}

export class ExtractService {
  constructor(
    private readonly db: RequestDb,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    readonly signer: DocumentSigner,
  ) {}

  async issue(req: ExtractRequest): Promise<IssuedExtract> {
    const v = req.viewer;
    if (v.role !== 'TRADER' || !v.participantId) throw new ForbiddenError();
    const participantId = v.participantId;
    const { participant, stats } = await this.db.run(traderScope(participantId), async (sql) => {
      const [p] = await sql.query<ExtractParticipant>(
        `SELECT id::text AS id, kind, name, voen, fin, gooen FROM participants WHERE id = $1`,
        [participantId],
      );
      return {
        participant: p,
        stats: await tradeStatistics(sql, participantId, req.filter, [...req.groupBy], MAX_EXTRACT_GROUPS),
      };
    });
    if (!participant) throw new ForbiddenError('the session has no participant');
    if (stats.truncated) {
      throw new BadUserInputError(
        `more than ${MAX_EXTRACT_GROUPS} groups match: a signed extract is never truncated; narrow the filter or group by fewer dimensions`,
        'groupBy',
      );
    }
    const figures = figuresCsv(stats, req.groupBy);
    const figuresSha256 = sha256Hex(figures);
    const issuedAt = this.clock.now();
    const entry: AuditEntryInput = {
      occurredAt: issuedAt,
      requestId: cleanText(req.requestId, 100),
      sessionId: v.sessionId,
      userAccountId: v.userAccountId,
      participantId,
      role: v.role,
      username: cleanText(v.username, 200),
      authMethod: v.authMethod,
      login: false,
      clientIp: cleanText(req.clientIp, 100),
      userAgent: cleanText(req.userAgent, 500),
      operationType: 'query',
      operationName: REGISTRATION_OPERATION,
      rootFields: ['statisticalExtract'],
      documentHash: null,
      variables: JSON.stringify({
        filter: JSON.parse(filterJson(req.apiFilter)),
        format: req.format,
        groupBy: req.groupBy,
      }),
      outcome: 'SUCCESS',
      errorCodes: [],
      rowsReturned: stats.rows.length,
      responseHash: Buffer.from(figuresSha256, 'hex'),
      httpStatus: null,
      durationUs: 0,
      complaintId: null,
    };
    const record = await this.audit.append(entry);
    const statement: ExtractStatement = {
      format: req.format,
      issuedAt,
      participant,
      query: { filter: req.apiFilter, groupBy: req.groupBy },
      audit: { recordId: record.id, recordSeq: record.seq, requestId: entry.requestId },
      figuresCsv: figures,
      signerSubject: this.signer.subject,
    };
    const document = req.format === 'PDF' ? await renderPdf(statement) : Buffer.from(statementCsv(statement), 'utf8');
    const signature = await this.signer.signDetached(document, issuedAt);
    const who = (participant.voen ?? participant.fin ?? participant.gooen ?? participant.id).trim();
    const stamp = issuedAt
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const fileName = `statistical-extract-${who}-${stamp}-${record.seq}.${req.format === 'PDF' ? 'pdf' : 'csv'}`;
    return {
      fileName,
      contentType: req.format === 'PDF' ? 'application/pdf' : 'text/csv; charset=utf-8',
      document,
      signatureFileName: `${fileName}.p7s`,
      signature,
      issuedAt,
      auditRecordId: record.id,
      auditRecordSeq: record.seq,
      requestId: entry.requestId,
      figuresSha256,
      documentSha256: sha256Hex(document),
    };
  }
}
