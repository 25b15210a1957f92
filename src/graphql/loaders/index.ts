/**
 * Per-request DataLoaders (created in createContext, never shared between requests): each batch
 * is one SQL statement under the viewer's tenant binding, results in key order.
 */
import DataLoader from 'dataloader';
import type { Viewer } from '../../auth/viewer';
import { scopeOf, traderScope, type RequestDb } from '../../db/tenant';
import {
  itemsOfDeclarations,
  measuresOfDeclarations,
  type DeclarationItemRecord,
} from '../../statistics/declarations.service';
import { hsNames, type HsNameRecord } from '../../statistics/hs-names';
import type { TradeMeasures } from '../../statistics/measures';

export interface CountryRecord {
  code: string;
  nameAz: string;
  nameEn: string;
  nameRu: string;
}
export interface ParticipantRecord {
  id: string;
  kind: 'LEGAL_ENTITY' | 'NATURAL_PERSON';
  name: string;
  voen: string | null;
  fin: string | null;
  gooen: string | null;
}

export interface Loaders {
  country: DataLoader<string, CountryRecord | null>;
  participant: DataLoader<string, ParticipantRecord | null>;
  itemsByDeclaration: DataLoader<string, DeclarationItemRecord[]>;
  measuresByDeclaration: DataLoader<string, TradeMeasures | null>;
  /** HS chapter, heading or subheading (2, 4, 6 digits) → its names; null when the nomenclature lacks it. */
  hsName: DataLoader<string, HsNameRecord | null>;
}

export function createLoaders(db: RequestDb, viewer: Viewer | null): Loaders {
  const scope = scopeOf(viewer);
  const tenant = viewer?.participantId ?? null;
  const needTenant = () => {
    if (tenant === null) throw new Error('declaration data requested without a participant');
    return tenant;
  };
  return {
    country: new DataLoader(async (codes) => {
      const rows = await db.run(scope, (sql) =>
        sql.query<CountryRecord>(
          `SELECT code, name_az AS "nameAz", name_en AS "nameEn", name_ru AS "nameRu" FROM countries WHERE code = ANY($1)`,
          [codes],
        ),
      );
      const byCode = new Map(rows.map((r) => [r.code, r]));
      return codes.map((c) => byCode.get(c) ?? null);
    }),
    participant: new DataLoader(async (ids) => {
      const rows = await db.run(scope, (sql) =>
        sql.query<ParticipantRecord>(
          `SELECT id::text AS id, kind, name, voen, fin, gooen FROM participants WHERE id = ANY($1::bigint[])`,
          [ids],
        ),
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    itemsByDeclaration: new DataLoader(async (ids) => {
      const pid = needTenant();
      const rows = await itemsOfDeclarations(db.sending(traderScope(pid)), pid, ids);
      const byDecl = new Map<string, DeclarationItemRecord[]>(ids.map((id) => [id, []]));
      for (const r of rows) byDecl.get(r.declarationId)?.push(r);
      return ids.map((id) => byDecl.get(id) ?? []);
    }),
    measuresByDeclaration: new DataLoader(async (ids) => {
      const pid = needTenant();
      const byDecl = await measuresOfDeclarations(db.sending(traderScope(pid)), pid, ids);
      return ids.map((id) => byDecl.get(id) ?? null);
    }),
    hsName: new DataLoader(async (codes) => {
      const rows = await db.run(scope, (sql) => hsNames(sql, codes));
      const byCode = new Map(rows.map((r) => [r.code, r]));
      return codes.map((c) => byCode.get(c) ?? null);
    }),
  };
}
