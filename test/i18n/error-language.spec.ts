/**
 * Error messages and labels in the request's language: az and ru when Accept-Language names them, the
 * specific English message otherwise (the default clients have always seen), codes and extensions unchanged.
 */
import { expect } from 'chai';
import { ERROR_MESSAGES } from '../../src/shared/error-messages';
import { ERROR_CODES } from '../../src/shared/errors';
import { LABELS } from '../../src/shared/lang-labels';
import { LANGUAGES } from '../../src/shared/lang';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { testServer, traderToken } from '../support/server';

async function ask(
  query: string | undefined,
  opts: { token?: string; lang?: string; variables?: Record<string, unknown>; extensions?: unknown } = {},
) {
  const { server } = await testServer();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.lang === undefined ? {} : { 'accept-language': opts.lang }),
    },
    body: JSON.stringify({ query, variables: opts.variables, extensions: opts.extensions }),
  });
  return { status: res.status, ...((await res.json()) as { data?: any; errors?: any[] }) };
}

describe('error messages in three languages', () => {
  it('has a message in az, en and ru for every code of the catalogue, each in its own script', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).to.deep.equal([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const m = ERROR_MESSAGES[code];
      for (const l of LANGUAGES) expect(m[l].trim(), `${code} ${l}`).not.to.equal('');
      expect(m.AZ, code).not.to.equal(m.EN);
      expect(m.RU, code).to.match(/[а-яё]/i);
      expect(m.AZ + m.EN, code).not.to.match(/[а-яё]/i);
    }
  });

  let token: string;
  before(async () => {
    await resetData();
    token = await traderToken(await insertParticipant('1402345671'));
  });

  const STATS = '{ tradeStatistics(groupBy: [YEAR]) { truncated } }';
  const NOT_AUTHENTICATED = 'log in first: send Authorization: Bearer <token>';

  it('keeps the specific English message without a language of ours (no header, `*`, en, de)', async () => {
    for (const lang of [undefined, '*', 'en-GB', 'de-DE, fr;q=0.5', ';;;']) {
      const r = await ask(STATS, { lang });
      expect(r.errors![0].message, String(lang)).to.equal(NOT_AUTHENTICATED);
      expect(r.errors![0].extensions, String(lang)).to.have.keys('code', 'requestId');
    }
  });

  it('answers in Azerbaijani or Russian when asked, with the English message kept beside it', async () => {
    for (const [lang, key] of [
      ['az', 'AZ'],
      ['az-Latn-AZ,en;q=0.5', 'AZ'],
      ['en;q=0.2, ru-RU', 'RU'],
    ] as const) {
      const r = await ask(STATS, { lang });
      expect(r.status).to.equal(200);
      expect(r.errors![0].message, lang).to.equal(ERROR_MESSAGES.UNAUTHENTICATED[key]);
      expect(r.errors![0].extensions).to.include({ code: 'UNAUTHENTICATED', messageEn: NOT_AUTHENTICATED });
      expect(r.errors![0].extensions.requestId).to.be.a('string');
    }
  });

  it('keeps the code and every extension of a localized error', async () => {
    const bad = await ask('{ tradeStatistics(groupBy: [HS2, HS4]) { truncated } }', { token, lang: 'ru' });
    expect(bad.errors![0].message).to.equal(ERROR_MESSAGES.BAD_USER_INPUT.RU);
    expect(bad.errors![0].extensions.code).to.equal('BAD_USER_INPUT');
    expect(bad.errors![0].extensions.messageEn).to.match(/one HS level/);
    expect(bad.data).to.equal(null);

    const aliases = Array.from({ length: 41 }, (_, i) => `s${i}: tradeStatistics(groupBy: [YEAR]) { truncated }`);
    const big = await ask(`{ ${aliases.join(' ')} }`, { token, lang: 'az' });
    expect(big.status).to.equal(400);
    expect(big.errors![0].message).to.equal(ERROR_MESSAGES.QUERY_TOO_COMPLEX.AZ);
    expect(big.errors![0].extensions).to.include({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 20000 });
    expect(big.errors![0].extensions.complexity).to.be.above(20000);
  });

  it("translates GraphQL's own errors too", async () => {
    const r = await ask('{ tradeStatistics(groupBy: [YEAR]) { nope } }', { token, lang: 'ru' });
    expect(r.status).to.equal(400);
    expect(r.errors![0].message).to.equal(ERROR_MESSAGES.GRAPHQL_VALIDATION_FAILED.RU);
    expect(r.errors![0].extensions.code).to.equal('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].extensions.messageEn).to.match(/Cannot query field "nope"/);
  });

  it('never translates the persisted-query miss clients match by its message', async () => {
    const r = await ask(undefined, {
      lang: 'az',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(r.errors![0].extensions.code).to.equal('PERSISTED_QUERY_NOT_FOUND');
    expect(r.errors![0].message).to.equal('PersistedQueryNotFound');
  });
});

describe('labels', () => {
  const Q = `query($lang: Language) { labels(lang: $lang) { type language labels { value text } } }`;
  const asMap = (r: any) =>
    new Map<string, Map<string, string>>(
      r.data.labels.map((s: any) => [s.type, new Map(s.labels.map((l: any) => [l.value, l.text]))]),
    );

  it('label every value of the labelled enums and every measure field, as the schema has them', async () => {
    const intro = await ask(`{ d: __type(name: "TradeDimension") { enumValues { name } }
      t: __type(name: "TradeDirection") { enumValues { name } } l: __type(name: "Language") { enumValues { name } }
      m: __type(name: "TradeMeasures") { fields { name } } }`);
    const schema = {
      TradeDimension: intro.data.d.enumValues.map((v: any) => v.name),
      TradeDirection: intro.data.t.enumValues.map((v: any) => v.name),
      Language: intro.data.l.enumValues.map((v: any) => v.name),
      TradeMeasures: intro.data.m.fields.map((v: any) => v.name),
    };
    expect(Object.keys(LABELS).sort()).to.deep.equal(Object.keys(schema).sort());
    for (const lang of LANGUAGES) {
      const r = await ask(Q, { variables: { lang } });
      expect(r.errors).to.equal(undefined);
      expect(r.data.labels.every((s: any) => s.language === lang)).to.equal(true);
      const got = asMap(r);
      for (const [type, values] of Object.entries(schema)) {
        expect([...got.get(type)!.keys()].sort(), `${type} ${lang}`).to.deep.equal([...values].sort());
        for (const t of got.get(type)!.values()) expect(t.trim()).not.to.equal('');
      }
    }
  });

  it('follow Accept-Language when lang is omitted, and lang when given', async () => {
    const dir = async (lang: string | undefined, arg?: string) =>
      asMap(await ask(Q, { lang, variables: arg ? { lang: arg } : {} }))
        .get('TradeDirection')!
        .get('EXPORT');
    expect(await dir(undefined)).to.equal('İxrac');
    expect(await dir('en')).to.equal('Export');
    expect(await dir('ru-RU')).to.equal('Экспорт');
    expect(await dir('ru-RU', 'EN')).to.equal('Export');
    expect(await dir('xx-YY')).to.equal('İxrac');
  });
});
