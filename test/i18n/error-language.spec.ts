/**
 * Error messages and labels in the request's language: Azerbaijani unless Accept-Language asks for English
 * or Russian, with the specific English message kept in `extensions.messageEn`; codes and extensions
 * unchanged. The same for the errors Apollo Server answers before execution and for the HTTP layer's own
 * refusals (refused bodies, exports).
 */
import http from 'node:http';
import { expect } from 'chai';
import { ERROR_MESSAGES } from '../../src/shared/error-messages';
import { ERROR_CODES } from '../../src/shared/errors';
import { LABELS } from '../../src/shared/lang-labels';
import { LANGUAGES, type Language } from '../../src/shared/lang';
import { resetData } from '../support/db';
import { insertParticipant } from '../support/fixtures';
import { testServer, traderToken } from '../support/server';

interface Answer {
  status: number;
  data?: any;
  errors?: { message: string; extensions: Record<string, any> }[];
}

/** POSTs `body` to /graphql; `lang` undefined sends Node's fetch default (`*`, no choice). */
async function post(body: string, opts: { token?: string; lang?: string } = {}): Promise<Answer> {
  const { server } = await testServer();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.lang === undefined ? {} : { 'accept-language': opts.lang }),
    },
    body,
  });
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
}

async function ask(
  query: string | undefined,
  opts: { token?: string; lang?: string; variables?: Record<string, unknown>; extensions?: unknown } = {},
) {
  return post(JSON.stringify({ query, variables: opts.variables, extensions: opts.extensions }), opts);
}

/** A GET with exactly the headers given (node:http adds no Accept-Language, unlike fetch). */
async function rawGet(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { server } = await testServer();
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ...JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      })
      .on('error', reject);
  });
}

/** The first error is `code`'s message in `lang` with `english` (text or pattern) kept in messageEn. */
function expectLocalized(r: Answer, code: keyof typeof ERROR_MESSAGES, lang: Language, english: string | RegExp) {
  const e = r.errors![0];
  expect(e.extensions.code, JSON.stringify(r)).to.equal(code);
  expect(e.message, JSON.stringify(r)).to.equal(ERROR_MESSAGES[code][lang]);
  if (typeof english === 'string') expect(e.extensions.messageEn).to.equal(english);
  else expect(e.extensions.messageEn).to.match(english);
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

  // Accept-Language as sent (undefined: fetch's default `*`) → the language of the message.
  const CHOICES: [string | undefined, Language][] = [
    [undefined, 'AZ'], // no choice: the default
    ['*', 'AZ'],
    ['', 'AZ'],
    [';;;', 'AZ'], // malformed
    ['de-DE, fr;q=0.5', 'AZ'], // languages we lack
    ['tr', 'AZ'],
    ['az', 'AZ'],
    ['az-Latn-AZ,en;q=0.5', 'AZ'],
    ['en', 'EN'],
    ['en-GB', 'EN'],
    ['EN-us', 'EN'],
    ['fr;q=1, en;q=0.5', 'EN'], // English behind a language we lack
    ['az;q=0.2, en', 'EN'],
    ['ru', 'RU'],
    ['en;q=0.2, ru-RU', 'RU'],
  ];

  it('answers in the language asked for, Azerbaijani by default, the English message beside a translation', async () => {
    for (const [lang, language] of CHOICES) {
      const r = await ask(STATS, { lang });
      const e = r.errors![0];
      expect(r.status, String(lang)).to.equal(200);
      expect(e.extensions.requestId, String(lang)).to.be.a('string');
      if (language === 'EN') {
        expect(e.message, String(lang)).to.equal(NOT_AUTHENTICATED);
        expect(e.extensions, String(lang)).to.have.keys('code', 'requestId');
      } else {
        expectLocalized(r, 'UNAUTHENTICATED', language, NOT_AUTHENTICATED);
        expect(e.extensions, String(lang)).to.have.keys('code', 'messageEn', 'requestId');
      }
    }
    // No Accept-Language header at all (fetch always sends one): Azerbaijani too.
    const bare = await rawGet(`/graphql?query=${encodeURIComponent(STATS)}`, { 'apollo-require-preflight': '1' });
    expectLocalized(bare, 'UNAUTHENTICATED', 'AZ', NOT_AUTHENTICATED);
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
    for (const lang of ['az', 'ru', undefined]) {
      const r = await ask(undefined, {
        lang,
        extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
      });
      expect(r.errors![0].extensions.code).to.equal('PERSISTED_QUERY_NOT_FOUND');
      expect(r.errors![0].message).to.equal('PersistedQueryNotFound');
      expect(r.errors![0].extensions).not.to.have.property('messageEn');
    }
  });

  describe('error messages Apollo Server and the HTTP layer answer before execution', () => {
    it('refuses a CSRF-suspect request in the request language, English on request', async () => {
      // A simple GET without a preflight header: Apollo Server's CSRF prevention refuses it before the context.
      const path = '/graphql?query=%7B__typename%7D';
      const az = await rawGet(path);
      expect(az.status).to.equal(400);
      expectLocalized(az, 'BAD_REQUEST', 'AZ', /Cross-Site Request Forgery/);
      expectLocalized(
        await rawGet(path, { 'accept-language': 'ru' }),
        'BAD_REQUEST',
        'RU',
        az.errors![0].extensions.messageEn,
      );
      const en = await rawGet(path, { 'accept-language': 'en' });
      expect(en.errors![0].message).to.equal(az.errors![0].extensions.messageEn);
      expect(en.errors![0].extensions).not.to.have.property('messageEn');
    });

    it('refuses a batch (a JSON array) in the request language', async () => {
      const body = JSON.stringify([{ query: '{ me { role } }' }, { query: '{ me { role } }' }]);
      const az = await post(body);
      expect(az.status).to.equal(400);
      expectLocalized(az, 'BAD_REQUEST', 'AZ', /batch/i);
      const en = await post(body, { lang: 'en' });
      expect(en.errors![0].message).to.equal(az.errors![0].extensions.messageEn);
    });

    it('refuses a body that is not JSON in the request language, with the request id', async () => {
      const az = await post('{"query": "{ me { role } }"');
      expect(az.status).to.equal(400);
      expectLocalized(az, 'BAD_REQUEST', 'AZ', 'the request body is not valid JSON');
      expect(az.errors![0].extensions.requestId).to.be.a('string');
      const ru = await post('{"query"', { lang: 'ru-RU' });
      expectLocalized(ru, 'BAD_REQUEST', 'RU', 'the request body is not valid JSON');
      const en = await post('{"query"', { lang: 'fr;q=1, en;q=0.5' });
      expect(en.errors![0].message).to.equal('the request body is not valid JSON');
    });

    it('refuses an export in the request language, as GraphQL refuses the same query', async () => {
      const path = '/export/statistics.csv?groupBy=YEAR';
      const bare = await rawGet(path);
      expect(bare.status).to.equal(401);
      expectLocalized(bare, 'UNAUTHENTICATED', 'AZ', NOT_AUTHENTICATED);
      expect((await rawGet(path, { 'accept-language': 'de' })).errors![0].message).to.equal(
        ERROR_MESSAGES.UNAUTHENTICATED.AZ,
      );
      expectLocalized(await rawGet(path, { 'accept-language': 'ru' }), 'UNAUTHENTICATED', 'RU', NOT_AUTHENTICATED);
      const en = await rawGet(path, { 'accept-language': 'fr;q=1, en;q=0.5' });
      expect(en.errors![0].message).to.equal(NOT_AUTHENTICATED);
      expect(en.errors![0].extensions).not.to.have.property('messageEn');

      const bad = await rawGet('/export/statistics.csv?groupBy=HS2,HS4', { authorization: `Bearer ${token}` });
      expect(bad.status).to.equal(400);
      expectLocalized(bad, 'BAD_USER_INPUT', 'AZ', /one HS level/);
      expect(bad.errors![0].extensions.field).to.equal('groupBy');
      const viaGraphql = await ask('{ tradeStatistics(groupBy: [HS2, HS4]) { truncated } }', { token, lang: 'az' });
      expect(bad.errors![0].message).to.equal(viaGraphql.errors![0].message);
      expect(bad.errors![0].extensions.messageEn).to.equal(viaGraphql.errors![0].extensions.messageEn);
    });
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
