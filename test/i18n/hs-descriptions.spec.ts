/**
 * HS descriptions and the request language over the real HTTP server: the nomenclature as loaded, the
 * English fallback said out loud, unknown codes kept and flagged, `lang` beating Accept-Language, and one
 * description batch however many rows ask.
 */
import { expect } from 'chai';
import { hsNomenclature } from '../../src/db/reference/hs';
import { SqlLogger } from '../../src/db/sql-log';
import { resetData, testDb } from '../support/db';
import { insertDeclarations, insertParticipant, type ItemSpec } from '../support/fixtures';
import { testServer, traderToken } from '../support/server';

/** POST /graphql with an optional Accept-Language header. */
async function ask(query: string, token: string, acceptLanguage?: string, variables?: Record<string, unknown>) {
  const { server } = await testServer();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions: Record<string, any> }[] };
}

const item = (hs: string, country = 'DE'): ItemSpec => ({
  hs,
  country,
  net: '1.000',
  gross: '1.000',
  azn: '10.00',
  usd: '5.00',
});

const EN = new Map(
  [...hsNomenclature().chapters, ...hsNomenclature().headings, ...hsNomenclature().subheadings].map((r) => [
    r[0],
    r[2],
  ]),
);

describe('HS nomenclature and the three languages', () => {
  let token: string;
  let other: string;

  before(async function () {
    this.timeout(120000);
    await resetData();
    const a = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    const b = await insertParticipant('1500987653', 'Other MMC');
    await insertDeclarations(a, [
      {
        number: 'HS-1',
        date: '2024-03-01',
        direction: 'IM',
        items: [item('0101210000'), item('8703231990', 'RU'), item('7700000000')],
      },
    ]);
    await insertDeclarations(b, [{ number: 'HS-B', date: '2024-03-01', direction: 'IM', items: [item('0901110000')] }]);
    token = await traderToken(a);
    other = await traderToken(b);
  });

  it('loads every section, chapter, heading and subheading of HS 2022 as the files give them', async () => {
    const { ds } = testDb();
    const [n] = await ds.query(`SELECT (SELECT count(*) FROM hs_sections)::int AS sections,
        (SELECT count(*) FROM hs_chapters)::int AS chapters, (SELECT count(*) FROM hs_headings)::int AS headings,
        (SELECT count(*) FROM hs_subheadings)::int AS subheadings`);
    expect(n).to.deep.equal({ sections: 21, chapters: 97, headings: 1229, subheadings: 5613 });
    const rows: { code: string; name: string }[] = await ds.query(
      `SELECT code::text AS code, name_en AS name FROM hs_chapters UNION ALL SELECT code, name_en FROM hs_headings
       UNION ALL SELECT code, name_en FROM hs_subheadings`,
    );
    expect(new Map(rows.map((r) => [r.code, r.name]))).to.deep.equal(EN);
    const [none] = await ds.query(
      `SELECT count(*) FILTER (WHERE name_az IS NOT NULL OR name_ru IS NOT NULL)::int AS translated
         FROM (SELECT name_az, name_ru FROM hs_chapters UNION ALL SELECT name_az, name_ru FROM hs_headings
               UNION ALL SELECT name_az, name_ru FROM hs_subheadings) t`,
    );
    expect(none.translated, 'no translation is invented').to.equal(0);
    const [ch] = await ds.query(`SELECT section_code FROM hs_chapters WHERE code = '85'`);
    expect(ch.section_code).to.equal('XVI');
  });

  const STATS = `query($g: [TradeDimension!]!, $lang: Language) { tradeStatistics(groupBy: $g) { rows { key { hsCode
    hsDescription(lang: $lang) { code describedCode nationalCodeFallback known text requestedLanguage
      descriptionLanguage languageFallback } } } } }`;
  const byCode = (r: any) =>
    new Map<string, any>(r.data.tradeStatistics.rows.map((x: any) => [x.key.hsCode, x.key.hsDescription]));

  it('describes HS2, HS4 and HS6 group keys at their own level, in English and saying so for AZ and RU', async () => {
    for (const [dim, code] of [
      ['HS2', '01'],
      ['HS4', '0101'],
      ['HS6', '010121'],
    ] as const) {
      for (const lang of ['AZ', 'RU', 'EN'] as const) {
        const r = await ask(STATS, token, undefined, { g: [dim], lang });
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(byCode(r).get(code), `${dim} ${lang}`).to.deep.equal({
          code,
          describedCode: code,
          nationalCodeFallback: false,
          known: true,
          text: EN.get(code),
          requestedLanguage: lang,
          descriptionLanguage: 'EN',
          languageFallback: lang !== 'EN',
        });
      }
    }
  });

  it('describes a 10-digit national code by its 6-digit subheading and says so', async () => {
    const r = await ask(STATS, token, undefined, { g: ['HS10'], lang: 'RU' });
    expect(byCode(r).get('8703231990')).to.deep.equal({
      code: '8703231990',
      describedCode: '870323',
      nationalCodeFallback: true,
      known: true,
      text: EN.get('870323'),
      requestedLanguage: 'RU',
      descriptionLanguage: 'EN',
      languageFallback: true,
    });
  });

  it('keeps unknown codes in the answer, flagged with no text, at every level', async () => {
    for (const [dim, code] of [
      ['HS2', '77'],
      ['HS4', '7700'],
      ['HS6', '770000'],
      ['HS10', '7700000000'],
    ] as const) {
      const r = await ask(STATS, token, 'az', { g: [dim] });
      const rows = r.data.tradeStatistics.rows;
      expect(rows, dim).to.have.length(3);
      expect(byCode(r).get(code), dim).to.deep.equal({
        code,
        describedCode: code.slice(0, 6),
        nationalCodeFallback: dim === 'HS10',
        known: false,
        text: null,
        requestedLanguage: 'AZ',
        descriptionLanguage: null,
        languageFallback: false,
      });
    }
  });

  it('gives no description when the rows are not grouped by an HS level', async () => {
    const r = await ask(STATS, token, undefined, { g: ['COUNTRY'] });
    expect(r.data.tradeStatistics.rows.map((x: any) => x.key.hsDescription)).to.deep.equal([null, null]);
  });

  it('uses a translation once one is loaded, and falls back only where it is missing', async () => {
    const { ds } = testDb();
    await ds.query(
      `UPDATE hs_headings SET name_az = 'Atlar, eşşəklər, qatırlar və ekzotik atlar; diri' WHERE code = '0101'`,
    );
    try {
      const az = await ask(STATS, token, undefined, { g: ['HS4'], lang: 'AZ' });
      expect(byCode(az).get('0101')).to.include({
        text: 'Atlar, eşşəklər, qatırlar və ekzotik atlar; diri',
        descriptionLanguage: 'AZ',
        languageFallback: false,
      });
      const ru = await ask(STATS, token, undefined, { g: ['HS4'], lang: 'RU' });
      expect(byCode(ru).get('0101')).to.include({
        text: EN.get('0101'),
        descriptionLanguage: 'EN',
        languageFallback: true,
      });
    } finally {
      await ds.query(`UPDATE hs_headings SET name_az = NULL WHERE code = '0101'`);
    }
  });

  it('describes declaration items, unknown ones flagged, and only the viewer’s own items', async () => {
    const Q = `{ declarations { edges { node { number items { hsCode hsDescription { describedCode known text
      descriptionLanguage requestedLanguage } } } } } }`;
    const r = await ask(Q, token, 'ru-RU,ru;q=0.9');
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    expect(r.data.declarations.edges.map((e: any) => e.node.number)).to.deep.equal(['HS-1']);
    expect(r.data.declarations.edges[0].node.items).to.deep.equal([
      {
        hsCode: '0101210000',
        hsDescription: {
          describedCode: '010121',
          known: true,
          text: EN.get('010121'),
          descriptionLanguage: 'EN',
          requestedLanguage: 'RU',
        },
      },
      {
        hsCode: '8703231990',
        hsDescription: {
          describedCode: '870323',
          known: true,
          text: EN.get('870323'),
          descriptionLanguage: 'EN',
          requestedLanguage: 'RU',
        },
      },
      {
        hsCode: '7700000000',
        hsDescription: {
          describedCode: '770000',
          known: false,
          text: null,
          descriptionLanguage: null,
          requestedLanguage: 'RU',
        },
      },
    ]);
    const theirs = await ask(Q, other);
    expect(theirs.data.declarations.edges.map((e: any) => e.node.number)).to.deep.equal(['HS-B']);
  });

  it('lets the lang argument beat Accept-Language, which beats the Azerbaijani default', async () => {
    const Q = `query($lang: Language) { tradeStatistics(groupBy: [COUNTRY]) { rows { key { country { code
      name defaultName: name(lang: $lang) } } } } }`;
    const names = async (header: string | undefined, lang?: string) => {
      const r = await ask(Q, token, header, lang ? { lang } : {});
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      const de = r.data.tradeStatistics.rows.find((x: any) => x.key.country.code === 'DE').key.country;
      return [de.name, de.defaultName];
    };
    expect(await names(undefined)).to.deep.equal(['Almaniya', 'Almaniya']);
    expect(await names('en-US,en;q=0.9')).to.deep.equal(['Germany', 'Germany']);
    expect(await names('ru')).to.deep.equal(['Германия', 'Германия']);
    expect(await names('ru', 'EN')).to.deep.equal(['Германия', 'Germany']);
    expect(await names('en', 'AZ')).to.deep.equal(['Germany', 'Almaniya']);
    expect(await names('de-CH, fr;q=0.8')).to.deep.equal(['Almaniya', 'Almaniya']);
    expect(await names('garbage;;q=x')).to.deep.equal(['Almaniya', 'Almaniya']);
    const hs = await ask(STATS, token, 'ru', { g: ['HS2'], lang: 'EN' });
    expect(byCode(hs).get('01')).to.include({ requestedLanguage: 'EN', languageFallback: false });
    const byHeader = await ask(STATS, token, 'ru', { g: ['HS2'] });
    expect(byCode(byHeader).get('01')).to.include({ requestedLanguage: 'RU', languageFallback: true });
  });

  it('refuses a language the schema does not have', async () => {
    const r = await ask(STATS, token, undefined, { g: ['HS2'], lang: 'DE' });
    expect(r.errors?.[0].extensions.code).to.equal('BAD_USER_INPUT');
    expect(r.data).to.equal(undefined);
    const literal = await ask(
      '{ tradeStatistics(groupBy: [HS2]) { rows { key { hsDescription(lang: de) { text } } } } }',
      token,
    );
    expect(literal.errors?.[0].extensions.code).to.equal('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers 1,000 rows with one description statement', async function () {
    this.timeout(120000);
    const c = await insertParticipant('1700000001', 'Bulk MMC');
    const codes = hsNomenclature()
      .subheadings.slice(0, 999)
      .map((s) => `${s[0]}0000`);
    await insertDeclarations(c, [
      { number: 'BULK-1', date: '2024-01-10', direction: 'IM', items: [...codes, '7700000000'].map((h) => item(h)) },
    ]);
    const bulk = await traderToken(c);
    const plain = `{ tradeStatistics(groupBy: [HS10], first: 1000) { rows { key { hsCode } } } }`;
    const described = `{ tradeStatistics(groupBy: [HS10], first: 1000) { rows { key { hsCode
      hsDescription(lang: RU) { known text descriptionLanguage } } } } }`;
    const statements = async (q: string) => {
      const before = SqlLogger.statements;
      const r = await ask(q, bulk, 'az');
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      return { n: SqlLogger.statements - before, rows: r.data.tradeStatistics.rows };
    };
    await statements(plain); // its session looked up once: in the session cache for both counts below
    const a = await statements(plain);
    const b = await statements(described);
    expect(b.rows).to.have.length(1000);
    // One more transaction of three statements (begin + tenant, the look-up, commit) for 1,000 keys.
    expect(b.n - a.n).to.equal(3);
    const unknown = b.rows.filter((r: any) => !r.key.hsDescription.known).map((r: any) => r.key.hsCode);
    expect(unknown).to.deep.equal(['7700000000']);
    for (const r of b.rows.filter((x: any) => x.key.hsDescription.known))
      expect(r.key.hsDescription).to.deep.equal({
        known: true,
        text: EN.get(r.key.hsCode.slice(0, 6)),
        descriptionLanguage: 'EN',
      });
  });
});
