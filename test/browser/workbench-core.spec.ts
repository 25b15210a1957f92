/**
 * The workbench without a browser: its pure logic (src/http/workbench/core.js, the same file the page runs) and
 * what the service serves at /graphiql (the policy, the assets, nothing from elsewhere).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import * as graphql from 'graphql';
import { WORKBENCH_ASSETS, WORKBENCH_CSP, WORKBENCH_DIR } from '../../src/http/graphiql';
import { testServer } from '../support/server';
import core = require('../../src/http/workbench/core.js');

describe('workbench logic (core.js)', () => {
  it('compares decimal strings exactly, beyond float precision, whatever their scale', () => {
    expect(core.compareDecimal('10.5', '9.99')).to.equal(1);
    expect(core.compareDecimal('0.10', '0.1')).to.equal(0);
    expect(core.compareDecimal('-0.00', '0')).to.equal(0);
    expect(core.compareDecimal('-2', '-10')).to.equal(1);
    expect(core.compareDecimal('-1', '0.00')).to.equal(-1);
    // 2^53 + 1 and 2^53 are one float; not one decimal.
    expect(core.compareDecimal('9007199254740993', '9007199254740992')).to.equal(1);
    expect(core.compareDecimal('123456789012345678.01', '123456789012345678.001')).to.equal(1);
  });

  it('formats decimals for az, en and ru keeping every digit', () => {
    expect(core.formatDecimal('1234567.89', 'az')).to.equal('1.234.567,89');
    expect(core.formatDecimal('1234567.89', 'en')).to.equal('1,234,567.89');
    expect(core.formatDecimal('1234567.89', 'ru').replace(/\s/g, ' ')).to.equal('1 234 567,89');
    expect(core.formatDecimal('123456789012345678901.120', 'en')).to.equal('123,456,789,012,345,678,901.120');
    expect(core.formatDecimal('0.000', 'az')).to.equal('0,000');
    expect(core.formatDecimal('-1000.5', 'en')).to.match(/^[-\u2212]1,000\.5$/);
    expect(core.formatDecimal(2024, 'en')).to.equal('2,024');
    expect(core.formatDecimal('not a number', 'en')).to.equal('not a number');
    expect(core.formatDecimal(null, 'en')).to.equal('');
    // An unknown language is Azerbaijani, the service's default.
    expect(core.formatDecimal('1000.5', 'xx')).to.equal('1.000,5');
  });

  it("finds every tradeStatistics answer of the operation run, with its arguments and variables' values", () => {
    const query = `query A($d: TradeDirection, $f: Date) {
        imports: tradeStatistics(groupBy: [HS2, YEAR], filter: { direction: $d, from: $f, hsCodePrefix: "08" }) { rows { key { hsCode } } }
        ...More
      }
      fragment More on Query { tradeStatistics(groupBy: COUNTRY) { truncated } }
      query B { me { role } }`;
    const data = { imports: { rows: [] }, tradeStatistics: { truncated: false } };
    const found = core.findStatistics(graphql, query, { d: 'IMPORT', f: '2024-01-01' }, 'A', data);
    expect(found.map((f) => [f.responseKey, f.groupBy, f.filter])).to.deep.equal([
      ['imports', ['HS2', 'YEAR'], { direction: 'IMPORT', from: '2024-01-01', hsCodePrefix: '08' }],
      ['tradeStatistics', ['COUNTRY'], {}],
    ]);
    // Another operation of the document, a missing answer, a mutation, a broken document: nothing.
    expect(core.findStatistics(graphql, query, {}, 'B', data)).to.deep.equal([]);
    expect(core.findStatistics(graphql, query, {}, undefined, data)).to.deep.equal([]);
    expect(core.findStatistics(graphql, query, {}, 'A', null)).to.deep.equal([]);
    expect(core.findStatistics(graphql, query, {}, 'A', { imports: null })).to.deep.equal([]);
    expect(core.findStatistics(graphql, 'mutation { tradeStatistics }', {}, undefined, data)).to.deep.equal([]);
    expect(core.findStatistics(graphql, '{ tradeStatistics(', {}, undefined, data)).to.deep.equal([]);
  });

  const answer = {
    rows: [
      { key: { country: { code: 'DE', name: 'Almaniya' } }, measures: { itemCount: 2, customsValueAzn: '10.50' } },
      { key: { country: { code: 'TR', name: 'Türkiyə' } }, measures: { itemCount: 1, customsValueAzn: '9.99' } },
      { key: { country: null }, measures: { itemCount: 3, customsValueAzn: '100.00' } },
    ],
    totals: { itemCount: 6, customsValueAzn: '120.49' },
    truncated: true,
  };

  it('turns any answer into columns (keys first), rows of exact values and totals', () => {
    const t = core.toTable(answer);
    expect(t.columns.map((c) => [c.id, c.label, c.kind, c.numeric])).to.deep.equal([
      ['key.country.code', 'country.code', 'key', false],
      ['key.country.name', 'country.name', 'key', false],
      ['key.country', 'country', 'key', false],
      ['measures.itemCount', 'itemCount', 'measure', true],
      ['measures.customsValueAzn', 'customsValueAzn', 'measure', true],
    ]);
    expect(t.rows[1]).to.deep.equal({
      'key.country.code': 'TR',
      'key.country.name': 'Türkiyə',
      'measures.itemCount': 1,
      'measures.customsValueAzn': '9.99',
    });
    expect(t.totals).to.deep.equal({ 'measures.itemCount': 6, 'measures.customsValueAzn': '120.49' });
    expect(t.truncated).to.equal(true);
    expect(core.toTable({}).rows).to.deep.equal([]);
  });

  it('sorts decimals numerically (not as text), text by locale, empty cells last both ways', () => {
    const t = core.toTable(answer);
    const value = t.columns.find((c) => c.id === 'measures.customsValueAzn')!;
    const name = t.columns.find((c) => c.id === 'key.country.name')!;
    const values = (rows: any[]) => rows.map((r) => r['measures.customsValueAzn']);
    expect(values(core.sortRows(t.rows, value, 'asc'))).to.deep.equal(['9.99', '10.50', '100.00']);
    expect(values(core.sortRows(t.rows, value, 'desc'))).to.deep.equal(['100.00', '10.50', '9.99']);
    const names = (rows: any[]) => rows.map((r) => r['key.country.name']);
    expect(names(core.sortRows(t.rows, name, 'asc'))).to.deep.equal(['Almaniya', 'Türkiyə', undefined]);
    expect(names(core.sortRows(t.rows, name, 'desc'))).to.deep.equal(['Türkiyə', 'Almaniya', undefined]);
    expect(values(t.rows)).to.deep.equal(['10.50', '9.99', '100.00']); // the answer itself is left alone
  });

  it('charts bars for categorical groups (largest first) and lines over time (one per other key)', () => {
    const bars = core.chartSpec(core.toTable(answer), ['COUNTRY'], 'measures.customsValueAzn');
    expect(bars).to.deep.include({ type: 'bar', labels: ['—', 'DE Almaniya', 'TR Türkiyə'], omitted: 0 });
    expect(bars!.datasets[0]!.data).to.deep.equal(['100.00', '10.50', '9.99']);
    const monthly = {
      rows: [
        { key: { year: 2024, month: 2, direction: 'EXPORT' }, measures: { v: '5' } },
        { key: { year: 2023, month: 12, direction: 'IMPORT' }, measures: { v: '7.5' } },
        { key: { year: 2024, month: 2, direction: 'IMPORT' }, measures: { v: '1' } },
      ],
    };
    const lines = core.chartSpec(core.toTable(monthly), ['YEAR', 'MONTH', 'DIRECTION'], 'measures.v');
    expect(lines!.type).to.equal('line');
    expect(lines!.labels).to.deep.equal(['2023-12', '2024-02']);
    expect(lines!.datasets).to.deep.equal([
      { label: 'IMPORT', data: ['7.5', '1'] },
      { label: 'EXPORT', data: [null, '5'] },
    ]);
    const quarters = { rows: [{ key: { year: 2024, quarter: 3 }, measures: { v: '1' } }] };
    expect(core.chartSpec(core.toTable(quarters), ['YEAR', 'QUARTER'], 'measures.v')!.labels).to.deep.equal([
      '2024 Q3',
    ]);
    // Many groups: the largest 25 bars, the rest counted.
    const many = {
      rows: Array.from({ length: 30 }, (_, i) => ({ key: { hsCode: `0${i}` }, measures: { v: `${i}` } })),
    };
    const top = core.chartSpec(core.toTable(many), ['HS2'], 'measures.v')!;
    expect(top.labels).to.have.length(25);
    expect(top.labels[0]).to.equal('029');
    expect(top.omitted).to.equal(5);
    // A column that is not a measure, or not numeric: no chart.
    expect(core.chartSpec(core.toTable(answer), ['COUNTRY'], 'key.country.name')).to.equal(null);
  });

  it('builds the export URL of the contract: filter fields as GraphQL values, groupBy, lang, bom', () => {
    const filter = { direction: 'IMPORT', from: '2024-01-01', hsCodePrefix: '08', countryCode: 'TR', to: null };
    expect(core.exportUrl('csv', ['HS2', 'YEAR'], filter, 'en', true)).to.equal(
      '/export/statistics.csv?groupBy=HS2,YEAR&countryCode=TR&direction=IMPORT&from=2024-01-01&hsCodePrefix=08&lang=en&bom=1',
    );
    expect(core.exportUrl('xlsx', ['COUNTRY'], {}, 'ru', true)).to.equal(
      '/export/statistics.xlsx?groupBy=COUNTRY&lang=ru',
    );
    // Values are escaped; a field the contract does not know goes to the server, which refuses it.
    expect(core.exportUrl('csv', ['HS2'], { customsPostCode: 'a&b=c', extra: 'x' }, 'zz', false)).to.equal(
      '/export/statistics.csv?groupBy=HS2&customsPostCode=a%26b%3Dc&extra=x&lang=az',
    );
    expect(() => core.exportUrl('pdf', [], {}, 'az', false)).to.throw(/csv or xlsx/);
  });

  it('names downloads after the server, else after the query', () => {
    expect(core.downloadName(`attachment; filename="stats.csv"`, 'csv', [])).to.equal('stats.csv');
    expect(core.downloadName(`attachment; filename*=UTF-8''g%C3%B6mr%C3%BCk.xlsx`, 'xlsx', [])).to.equal('gömrük.xlsx');
    expect(core.downloadName(null, 'csv', ['HS2', 'YEAR'])).to.equal('trade-statistics-hs2-year.csv');
  });

  it('asks for the chosen language first and English after it', () => {
    expect(core.acceptLanguage('az')).to.equal('az, en;q=0.5');
    expect(core.acceptLanguage('ru')).to.equal('ru, en;q=0.5');
    expect(core.acceptLanguage('en')).to.equal('en');
  });
});

describe('what /graphiql serves', () => {
  it('the page under a policy that allows only this origin, data: fonts and images, no eval', async () => {
    const { server } = await testServer();
    const res = await fetch(`${server.url}/graphiql`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.equal(WORKBENCH_CSP);
    expect(WORKBENCH_CSP).to.contain("font-src 'self' data:").and.to.contain("script-src 'self';");
    expect(WORKBENCH_CSP).not.to.match(/unsafe-eval|https?:|\*/);
    const html = await res.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.filter((u) => u !== 'data:,' && !u.startsWith('/graphiql/assets/'))).to.deep.equal([]);
    expect(html).not.to.match(/<script>|<script [^>]*>[^<]/); // no inline script
  });

  it('every asset the page names, with its type; nothing else under /graphiql/assets', async () => {
    const { server } = await testServer();
    const html = await (await fetch(`${server.url}/graphiql`)).text();
    const named = [...html.matchAll(/\/graphiql\/assets\/([\w.-]+)/g)].map((m) => m[1]!);
    expect(named.sort()).to.deep.equal(Object.keys(WORKBENCH_ASSETS).sort());
    for (const name of named) {
      const res = await fetch(`${server.url}/graphiql/assets/${name}`);
      expect(res.status, name).to.equal(200);
      expect(res.headers.get('content-type'), name).to.match(
        name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect((await res.arrayBuffer()).byteLength, name).to.be.greaterThan(1000);
    }
    expect((await fetch(`${server.url}/graphiql/assets/../package.json`)).status).to.equal(404);
    expect((await fetch(`${server.url}/graphiql/assets/index.html`)).status).to.equal(404);
    expect(fs.existsSync(path.join(WORKBENCH_DIR, 'index.html'))).to.equal(true);
  });
});
