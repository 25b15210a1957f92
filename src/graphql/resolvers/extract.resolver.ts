import { Arg, Resolver } from 'type-graphql';
import type { TradeDimension } from '../../statistics/statistics.service';
import { TraderCall, TraderQuery } from '../auth';
import { toTradeFilter } from '../mappers';
import { ExtractFormatEnum, StatisticalExtract } from '../types/extract.type';
import { TradeDimensionEnum } from '../types/enums';
import { TradeFilterInput } from '../types/statistics.type';

/** The filter as the client stated it (API names), for the document: only the fields that were given. */
function apiFilter(input: TradeFilterInput | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

@Resolver(() => StatisticalExtract)
export class ExtractResolver {
  @TraderQuery(
    () => StatisticalExtract,
    "The viewer's tradeStatistics figures (every group) as a document signed by the service, naming the participant, the query, the time of issue and the audit record that registered it.",
  )
  async statisticalExtract(
    @TraderCall() { ctx, trader }: TraderCall,
    @Arg('filter', () => TradeFilterInput, { nullable: true }) filter: TradeFilterInput | undefined,
    @Arg('groupBy', () => [TradeDimensionEnum]) groupBy: TradeDimensionEnum[],
    @Arg('format', () => ExtractFormatEnum) format: ExtractFormatEnum,
  ): Promise<StatisticalExtract> {
    const f = await toTradeFilter(ctx, filter);
    const x = await ctx.services.extracts.issue({
      viewer: trader,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      userAgent: ctx.userAgent,
      filter: f,
      apiFilter: apiFilter(filter),
      groupBy: groupBy as TradeDimension[],
      format,
    });
    return {
      fileName: x.fileName,
      contentType: x.contentType,
      document: x.document.toString('base64'),
      documentSha256: x.documentSha256,
      signature: x.signature.toString('base64'),
      signatureFileName: x.signatureFileName,
      issuedAt: x.issuedAt,
      audit: {
        recordId: x.auditRecordId,
        recordSeq: x.auditRecordSeq,
        requestId: x.requestId,
        figuresSha256: x.figuresSha256,
      },
    };
  }
}
