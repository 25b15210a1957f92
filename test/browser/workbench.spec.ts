/**
 * The analyst's workbench in a real headless Chromium (playwright-core; /usr/bin/chromium when installed, else the
 * one @sparticuz/chromium unpacks to /tmp): a demo password account signs in with its one-time password and
 * changes it, runs grouped queries, and the table, the chart and the downloads are checked against the API's own
 * answer; then an e-signature sign-in over a challenge. Throughout, no request may leave 127.0.0.1, the console
 * must stay free of errors and the Content-Security-Policy must block nothing.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import sparticuz from '@sparticuz/chromium';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { issueCredentials, legalEntity, officerSession, registerContract } from '../auth/helpers';
import { cert, signCms } from '../pki/helpers';
import { resetData } from '../support/db';
import { insertDeclarations, insertOneImport, insertParticipant } from '../support/fixtures';
import { gql, testServer, traderToken } from '../support/server';

// What the functions handed to page.evaluate touch: they run in the page, whose DOM types this Node project
// does not load (lib ES2022 only); declared here for this file alone.
declare const window: any;
declare const document: any;
declare const sessionStorage: any;
declare const localStorage: any;
type HTMLElement = { dataset: Record<string, string | undefined> };

const TOP_PARTNERS = `query TopPartnerCountries {
  tradeStatistics(groupBy: [COUNTRY], first: 20) {
    rows { key { country { code name } } measures { declarationCount itemCount customsValueAzn netWeightKg } }
    totals { declarationCount itemCount customsValueAzn netWeightKg }
    truncated
  }
}`;
const NEW_PASSWORD = 'analyst-chosen-password-1';

/**
 * WORKBENCH_SCREENSHOTS=docs npx mocha test/browser/workbench.spec.ts refreshes the README's screenshots (PNG) at
 * the steps below; unset (as in npm test), nothing is written.
 */
const SCREENSHOTS = process.env.WORKBENCH_SCREENSHOTS;

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/** The Chromium to drive: the system's when installed, else @sparticuz/chromium's (unpacked once to /tmp). */
async function launch(): Promise<Browser> {
  const system = '/usr/bin/chromium';
  const own = fs.existsSync(system);
  // @sparticuz/chromium's args are for serverless hosts; the ones that weaken the page's security are left out,
  // so that the page is tested as a user's browser would treat it.
  const weakening = new Set(['--disable-web-security', '--allow-running-insecure-content']);
  const args = own ? [] : sparticuz.args.filter((a) => !weakening.has(a) && !a.startsWith('--headless'));
  return chromium.launch({
    executablePath: own ? system : await sparticuz.executablePath(),
    headless: true,
    args: [
      ...args,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
}

describe('the workbench at /graphiql in a real browser', function () {
  this.timeout(60000);
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let username: string;
  let oneTime: string;
  let participantName: string;
  let alphaId: string;
  const consoleErrors: string[] = [];
  const offHost: string[] = [];
  const graphqlLanguages: string[] = [];

  before(async function () {
    this.timeout(120000);
    await resetData();
    const { server, clock } = await testServer();
    clock.set(new Date()); // openssl stamps signingTime with the wall clock
    base = server.url;
    const officer = await officerSession();
    const contract = await registerContract(officer, legalEntity({ name: 'Alpha MMC', voen: '1000000001' }));
    participantName = contract.participant.name;
    alphaId = contract.participant.id;
    const issued = await issueCredentials(officer, contract.id);
    username = issued.username;
    oneTime = issued.password;
    await insertDeclarations(contract.participant.id, [
      {
        number: 'WB-1',
        date: '2024-01-15',
        direction: 'IM',
        post: '10100',
        items: [
          { hs: '8703230000', country: 'DE', net: '1500.125', gross: '1600.000', azn: '1234567.89', usd: '726216.41' },
          { hs: '0805100000', country: 'TR', net: '20000.000', gross: '21000.000', azn: '0.10', usd: '0.06' },
        ],
      },
      {
        number: 'WB-2',
        date: '2024-03-02',
        direction: 'EX',
        post: '20200',
        items: [
          { hs: '0806100000', country: 'RU', net: '800.500', gross: '900.000', azn: '98765.43', usd: '58097.31' },
          { hs: '0806100000', country: 'GE', net: '10.000', gross: '11.000', azn: '250.00', usd: '147.06' },
        ],
      },
      {
        number: 'WB-3',
        date: '2024-04-20',
        direction: 'EX',
        post: '20200',
        items: [{ hs: '0810100000', country: 'RU', net: '99.999', gross: '100.000', azn: '1000.01', usd: '588.24' }],
      },
    ]);
    // The signature's participant (certs-test/legal-rsa: VÖEN 1402345671), with data of its own.
    const other = await insertParticipant('1402345671', 'Xəzər Logistika MMC');
    await insertOneImport(other, 'WB-SIG-1', '2024-05-05', [
      '8703230000',
      'CN',
      '1.000',
      '2.000',
      '42000.00',
      '24705.88',
    ]);

    browser = await launch();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    // Nothing may leave the machine: requests elsewhere are noted and refused.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
      offHost.push(route.request().url());
      return route.abort();
    });
    context.on('request', (r) => {
      const url = new URL(r.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== '127.0.0.1') offHost.push(r.url());
      if (url.pathname === '/graphql') graphqlLanguages.push(r.headers()['accept-language'] ?? '');
    });
    // CSP violations, as the page sees them.
    await context.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => {
        w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
  });

  async function token(): Promise<string | null> {
    return page.evaluate(() => sessionStorage.getItem('workbench:token'));
  }

  /** The table as the page holds it: column ids and each row's exact values. */
  async function tableRows(): Promise<{ columns: string[]; rows: string[][] }> {
    return page.evaluate(() => {
      const columns = [...document.querySelectorAll('#wb-table thead th button')].map(
        (b) => (b as HTMLElement).dataset.column!,
      );
      const rows = [...document.querySelectorAll('#wb-table tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.dataset.value!),
      );
      return { columns, rows };
    });
  }

  /** The API's answer to the same query in the language the page is set to, as rows of the same columns. */
  async function apiRows(query: string, columns: string[], tok: string): Promise<string[][]> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tok}`,
        'accept-language': await page.inputValue('#wb-lang'),
      },
      body: JSON.stringify({ query }),
    });
    const r = (await res.json()) as { data: any; errors?: unknown };
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    const pick = (row: any, id: string) => {
      const v = id.split('.').reduce((o, k) => (o == null ? o : o[k]), row);
      return v === null || v === undefined ? '' : String(v);
    };
    return r.data.tradeStatistics.rows.map((row: any) => columns.map((c) => pick(row, c)));
  }

  it('serves the page under a CSP with font-src data: and every asset from this service', async () => {
    const res = await page.goto(`${base}/graphiql`);
    expect(res?.status()).to.equal(200);
    const csp = res!.headers()['content-security-policy'];
    expect(csp).to.contain("font-src 'self' data:").and.to.contain("script-src 'self'").and.not.contain('unsafe-eval');
    await page.waitForSelector('.graphiql-container');
    await page.waitForSelector('#wb-panel #wb-login-form');
    await page.waitForFunction(() => document.fonts.status === 'loaded');
    // GraphiQL's schema was fetched (the Docs explorer needs it) without a token.
    await page.waitForFunction(
      () => document.querySelector('.graphiql-doc-explorer-search, .graphiql-plugin') !== null,
    );
    expect(await page.evaluate(() => (window as any).cspViolations)).to.deep.equal([]);
    expect(await page.locator('#wb-session').textContent()).to.contain('Daxil olmayıb');
  });

  it('refuses a wrong password, says why, and keeps no token', async () => {
    await page.fill('#wb-username', username);
    await page.fill('#wb-password', 'not-the-password');
    await page.click('#wb-login');
    await page.waitForSelector('#wb-signin-status.wb-error');
    expect(await page.locator('#wb-signin-status').textContent()).to.match(/^UNAUTHENTICATED: /);
    expect(await token()).to.equal(null);
  });

  it('signs in with the one-time password, makes the password change, and keeps the token in sessionStorage only', async () => {
    await page.fill('#wb-username', username);
    await page.fill('#wb-password', oneTime);
    await page.click('#wb-login');
    await page.waitForSelector('#wb-change-form');
    // The one-time session is not kept anywhere: it allows only the change.
    expect(await token()).to.equal(null);
    await page.fill('#wb-new-password', NEW_PASSWORD);
    await page.fill('#wb-new-password2', `${NEW_PASSWORD}x`);
    await page.click('#wb-change');
    await page.waitForSelector('#wb-signin-status.wb-error');
    expect(await page.locator('#wb-signin-status').textContent()).to.equal('Parollar eyni deyil.');
    await page.fill('#wb-new-password2', NEW_PASSWORD);
    await page.click('#wb-change');
    await page.waitForSelector('#wb-who');
    expect(await page.locator('#wb-who').textContent()).to.equal(`${username} — ${participantName}`);
    const tok = await token();
    expect(tok).to.match(/^[A-Za-z0-9_-]{20,}$/);
    const me = await gql('{ me { username mustChangePassword } }', {}, tok!);
    expect(me.data).to.deep.equal({ me: { username, mustChangePassword: false } });
    // The old one-time password no longer works; the new one does.
    expect(
      (await gql(`mutation { login(username: "${username}", password: "${oneTime}") { token } }`)).errors,
    ).to.have.length(1);
    const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(local).not.to.contain(tok!);
  });

  it('runs an example grouped query and shows exactly the API answer as the table, formatted per language', async () => {
    await page.click('[data-example="top-partners"]');
    await page.waitForSelector('#wb-table tbody tr');
    const { columns, rows } = await tableRows();
    expect(columns).to.deep.equal([
      'key.country.code',
      'key.country.name',
      'measures.declarationCount',
      'measures.itemCount',
      'measures.customsValueAzn',
      'measures.netWeightKg',
    ]);
    const api = await apiRows(TOP_PARTNERS, columns, (await token())!);
    expect(api).to.have.length(4);
    expect(rows).to.deep.equal(api);
    // The totals row holds the API's totals.
    const r = await gql(TOP_PARTNERS, {}, (await token())!);
    const foot = await page.$$eval('#wb-table tfoot td[data-column]', (tds) =>
      tds.map((td) => [(td as HTMLElement).dataset.column, (td as HTMLElement).dataset.value]),
    );
    expect(Object.fromEntries(foot)).to.deep.equal({
      'measures.declarationCount': String(r.data.tradeStatistics.totals.declarationCount),
      'measures.itemCount': String(r.data.tradeStatistics.totals.itemCount),
      'measures.customsValueAzn': r.data.tradeStatistics.totals.customsValueAzn,
      'measures.netWeightKg': r.data.tradeStatistics.totals.netWeightKg,
    });
    // Azerbaijani (the default): '.' groups, ',' decimals; every digit of the decimal string kept.
    const de = page
      .locator('#wb-table tbody tr', { hasText: 'DE' })
      .locator('td[data-column="measures.customsValueAzn"]');
    expect(await de.textContent()).to.equal('1.234.567,89');
    expect(graphqlLanguages.at(-1)).to.equal('az, en;q=0.5');
    await page.selectOption('#wb-lang', 'en');
    expect(await de.textContent()).to.equal('1,234,567.89');
    await page.selectOption('#wb-lang', 'ru');
    expect((await de.textContent())!.replace(/\s/g, ' ')).to.equal('1 234 567,89');
    await page.click('[data-example="top-partners"]');
    await page.waitForFunction(() => document.querySelectorAll('#wb-table tbody tr').length === 4);
    expect(graphqlLanguages.at(-1)).to.equal('ru, en;q=0.5');
    await page.selectOption('#wb-lang', 'en');
    await screenshot(page, 'workbench-table-chart');
  });

  it('sorts by a decimal column exactly, ascending then descending', async () => {
    const col = 'measures.customsValueAzn';
    await page.click(`#wb-table thead button[data-column="${col}"]`);
    const values = () =>
      page.$$eval(`#wb-table tbody td[data-column="${col}"]`, (tds) =>
        tds.map((td) => (td as HTMLElement).dataset.value),
      );
    expect(await values()).to.deep.equal(['0.10', '250.00', '99765.44', '1234567.89']);
    expect(
      await page.locator(`#wb-table thead th:has(button[data-column="${col}"])`).getAttribute('aria-sort'),
    ).to.equal('ascending');
    await page.click(`#wb-table thead button[data-column="${col}"]`);
    expect(await values()).to.deep.equal(['1234567.89', '99765.44', '250.00', '0.10']);
  });

  it('draws bars for categorical groups and lines over years and months', async () => {
    const chart = () =>
      page.evaluate(() => {
        const c = (window as any).Chart.getChart(document.getElementById('wb-chart'));
        return { type: c.config.type, labels: c.data.labels, data: c.data.datasets.map((d: any) => d.data) };
      });
    const bars = await chart();
    expect(bars.type).to.equal('bar');
    expect(bars.labels).to.have.length(4);
    expect(bars.labels[0]).to.match(/^DE /);
    await page.click('[data-example="yearly-by-direction"]');
    await page.waitForFunction(() => document.querySelector('#wb-table thead button[data-column="key.direction"]'));
    const lines = await chart();
    expect(lines.type).to.equal('line');
    expect(lines.labels).to.deep.equal(['2024']);
    // One line per direction, the larger first.
    expect(lines.data).to.deep.equal([[1234567.99], [100015.44]]);
    await page.click('[data-example="monthly-exports"]');
    await page.waitForFunction(() => document.querySelector('#wb-table thead button[data-column="key.month"]'));
    const months = await chart();
    expect(months.type).to.equal('line');
    expect(months.labels).to.deep.equal(['2024-03', '2024-04']);
    expect(months.data).to.deep.equal([[99015.43, 1000.01]]);
    await screenshot(page, 'workbench-monthly-lines');
  });

  for (const format of ['csv', 'xlsx'] as const) {
    it(`downloads the ${format.toUpperCase()} export of the query on screen`, async function () {
      await page.click('[data-example="top-partners"]');
      await page.waitForFunction(() => document.querySelectorAll('#wb-table tbody tr').length === 4);
      const requested = page.waitForRequest((r) => new URL(r.url()).pathname === `/export/statistics.${format}`);
      const downloaded = page.waitForEvent('download');
      await page.click(`#wb-${format}`);
      const req = await requested;
      const url = new URL(req.url());
      expect(url.searchParams.get('groupBy')).to.equal('COUNTRY');
      expect(url.searchParams.get('lang')).to.equal('en');
      expect(req.headers()['authorization']).to.equal(`Bearer ${await token()}`);
      const file = await (await downloaded).path();
      const bytes = fs.readFileSync(file);
      const api = await gql(TOP_PARTNERS, {}, (await token())!);
      if (format === 'csv') {
        expect(url.searchParams.get('bom')).to.equal('1');
        expect(bytes.subarray(0, 3).toString('hex')).to.equal('efbbbf');
        const text = bytes.toString('utf8');
        const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
        expect(lines).to.have.length(1 + api.data.tradeStatistics.rows.length);
        for (const row of api.data.tradeStatistics.rows) {
          expect(text).to.contain(row.measures.customsValueAzn).and.to.contain(row.measures.netWeightKg);
        }
      } else {
        expect(bytes.subarray(0, 2).toString()).to.equal('PK'); // a zip: the XLSX container
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(bytes as unknown as ArrayBuffer);
        const sheet = book.worksheets[0]!;
        const cells: unknown[] = [];
        sheet.eachRow((row) => row.eachCell((c) => cells.push(c.value)));
        expect(sheet.actualRowCount).to.equal(1 + api.data.tradeStatistics.rows.length);
        for (const row of api.data.tradeStatistics.rows) {
          const v = row.measures.customsValueAzn as string;
          expect(cells.some((c) => c === v || c === Number(v))).to.equal(true, v);
        }
      }
      // The page says so once it handed the file over (its status line; an error would name the code).
      const box = page.locator('#wb-download-status');
      await page
        .waitForFunction(
          () => {
            const el = document.querySelector('#wb-download-status');
            return el !== null && (el.classList.contains('wb-error') || /\.(csv|xlsx)$/.test(el.textContent ?? ''));
          },
          undefined,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      expect(`${await box.getAttribute('class')} ${await box.textContent()}`).to.match(/wb-ok .*\.(csv|xlsx)$/);
    });
  }

  it('drops GraphiQL headers stored by an earlier page and keeps the session over a reload of the tab', async () => {
    const tok = (await token())!;
    await page.evaluate(() => {
      localStorage.setItem('graphiql:headers', '{"Authorization":"Bearer leaked-token"}');
      localStorage.setItem(
        'graphiql:tabState',
        JSON.stringify({
          tabs: [{ id: 'x', query: '{ me { role } }', headers: '{"Authorization":"Bearer leaked-token"}' }],
          activeTabIndex: 0,
        }),
      );
    });
    await page.reload();
    await page.waitForSelector('#wb-who');
    expect(await token()).to.equal(tok);
    const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(local).not.to.contain('leaked-token');
    expect(local).not.to.contain(tok);
  });

  it('signs out: the token leaves sessionStorage, the figures leave the screen, the session is revoked', async () => {
    const tok = (await token())!;
    await page.click('[data-example="top-partners"]');
    await page.waitForSelector('#wb-table tbody tr');
    await page.click('#wb-signout');
    await page.waitForSelector('#wb-login-form');
    expect(await token()).to.equal(null);
    // The trader's figures left the screen with the session.
    expect(await page.locator('#wb-table').count()).to.equal(0);
    expect(await page.locator('.graphiql-response').textContent()).not.to.contain('customsValueAzn');
    let code: string | undefined;
    for (let i = 0; i < 50 && code !== 'UNAUTHENTICATED'; i++) {
      code = (await gql('{ me { role } }', {}, tok)).errors?.[0]?.extensions?.code;
      if (code !== 'UNAUTHENTICATED') await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).to.equal('UNAUTHENTICATED');
  });

  it('signs in with an e-signature over a challenge: shows toBeSigned and the commands, refuses a wrong signature', async () => {
    await page.click('#wb-tab-signature');
    await page.click('#wb-challenge');
    await page.waitForSelector('#wb-tbs');
    const tbs = (await page.locator('#wb-tbs').textContent())!;
    expect(tbs).to.contain('Gömrük ticarət statistikası');
    expect(await page.locator('#wb-openssl').textContent()).to.contain(
      'openssl cms -sign -binary -md sha256 -nodetach -outform DER -in tbs.txt',
    );
    expect(await page.locator('#wb-cli').textContent()).to.equal(
      `npm run -s sign-challenge -- --cert YOUR.cert.pem --key YOUR.key.pem --url ${base}/graphql`,
    );
    // "Save as tbs.txt" gives the exact bytes to sign.
    const saved = page.waitForEvent('download');
    await page.click('#wb-save-tbs');
    const d = await saved;
    expect(d.suggestedFilename()).to.equal('tbs.txt');
    expect(fs.readFileSync((await d.path())!, 'utf8')).to.equal(tbs);
    // A signature over other text is refused, with its code; the used challenge is dropped.
    await page.fill(
      '#wb-signature',
      signCms('legal-rsa', `${tbs}x`, { detached: false, certfile: cert('issuing-ca') }),
    );
    await page.click('#wb-signature-login');
    await page.waitForSelector('#wb-signature-status.wb-error');
    expect(await page.locator('#wb-signature-status').textContent()).to.match(/^CONTENT_MISMATCH: /);
    expect(await token()).to.equal(null);
    expect(await page.locator('#wb-tbs').count()).to.equal(0);
    // A new challenge, properly signed.
    await page.click('#wb-challenge');
    await page.waitForSelector('#wb-tbs');
    const tbs2 = (await page.locator('#wb-tbs').textContent())!;
    await screenshot(page, 'workbench-e-signature');
    expect(tbs2).not.to.equal(tbs);
    await page.fill('#wb-signature', signCms('legal-rsa', tbs2, { detached: false, certfile: cert('issuing-ca') }));
    await page.click('#wb-signature-login');
    await page.waitForSelector('#wb-who');
    expect(await page.locator('#wb-who').textContent()).to.contain('Xəzər Logistika MMC');
    // That trader's own rows only.
    await page.click('[data-example="top-partners"]');
    await page.waitForFunction(() => document.querySelectorAll('#wb-table tbody tr').length === 1);
    const { columns, rows } = await tableRows();
    expect(rows).to.deep.equal(await apiRows(TOP_PARTNERS, columns, (await token())!));
    expect(rows[0]![0]).to.equal('CN');
  });

  it('signs in with a pasted session token (npm run sign-challenge, the demo tokens), refusing one that is no session', async () => {
    await page.click('#wb-signout');
    await page.click('#wb-tab-signature');
    await page.fill('#wb-token', 'forged-token-that-is-no-session');
    await page.click('#wb-use-token');
    await page.waitForSelector('#wb-signature-status.wb-error');
    expect(await page.locator('#wb-signature-status').textContent()).to.match(/^UNAUTHENTICATED: /);
    expect(await token()).to.equal(null);
    const fresh = await traderToken(alphaId);
    await page.fill('#wb-token', `  ${fresh}\n`);
    await page.click('#wb-use-token');
    await page.waitForSelector('#wb-who');
    expect(await page.locator('#wb-who').textContent()).to.contain(participantName);
    expect(await token()).to.equal(fresh);
  });

  it('left 127.0.0.1 for nothing, logged no console error and had nothing blocked by the CSP', async () => {
    expect(offHost).to.deep.equal([]);
    expect(consoleErrors).to.deep.equal([]);
    expect(await page.evaluate(() => (window as any).cspViolations)).to.deep.equal([]);
  });
});
