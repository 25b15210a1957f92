/** Conversions between service records and GraphQL object types, shared by the resolvers. */
import type { DeclarationRecord } from '../statistics/declarations.service';
import type { TradeMeasures as MeasuresModel } from '../statistics/measures';
import { validateTradeFilter, type TradeFilter } from '../statistics/trade-filter';
import type { GraphQLContext } from './context';
import type { ParticipantRecord } from './loaders';
import { Country } from './types/country.type';
import { Declaration } from './types/declaration.type';
import type { ParticipantKindEnum } from './types/enums';
import { Participant } from './types/viewer.type';
import { codeToDirection, directionToCode } from './types/enums';
import { TradeFilterInput, TradeMeasures } from './types/statistics.type';

export function toDeclaration(r: DeclarationRecord): Declaration {
  return Object.assign(new Declaration(), { ...r, direction: codeToDirection(r.direction) });
}

export function toParticipant(p: ParticipantRecord): Participant {
  return Object.assign(new Participant(), { ...p, kind: p.kind as ParticipantKindEnum });
}

/** The participant a record refers to, through the request's loader; a missing one is a broken reference. */
export async function loadParticipant(ctx: GraphQLContext, id: string, referrer: string): Promise<Participant> {
  const p = await ctx.loaders.participant.load(id);
  if (!p) throw new Error(`${referrer} refers to a missing participant`);
  return toParticipant(p);
}

export function toMeasuresType(m: MeasuresModel): TradeMeasures {
  return Object.assign(new TradeMeasures(), m);
}

export async function loadCountry(ctx: GraphQLContext, code: string | null | undefined): Promise<Country | null> {
  if (!code) return null;
  const c = await ctx.loaders.country.load(code);
  return c && Object.assign(new Country(), c);
}

/** GraphQL filter → validated service filter (unknown country → BAD_USER_INPUT). */
export async function toTradeFilter(
  ctx: GraphQLContext,
  input: TradeFilterInput | undefined | null,
): Promise<TradeFilter> {
  const f: TradeFilter = {};
  if (input) {
    if (input.direction) f.direction = directionToCode(input.direction);
    for (const k of [
      'from',
      'to',
      'hsCodePrefix',
      'countryCode',
      'customsPostCode',
      'procedureCode',
      'transportMode',
    ] as const) {
      const v = input[k];
      if (v !== undefined && v !== null) f[k] = v;
    }
  }
  const known =
    f.countryCode && /^[A-Z]{2}$/.test(f.countryCode) ? await ctx.loaders.country.load(f.countryCode) : null;
  return validateTradeFilter(f, () => known !== null);
}
