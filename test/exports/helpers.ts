/** Raw HTTP downloads of the exports (status, headers, exact bytes, trailers) and parsers for both formats. */
import http from 'node:http';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { testDb } from '../support/db';
import { testServer } from '../support/server';

export interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: Buffer;
  /** The body as JSON when it is an error. */
  json?: { errors: { message: string; extensions: Record<string, any> }[] };
}

/**
 * GETs `path` (e.g. `/export/statistics.csv?groupBy=HS2`) and reads the whole response. It asks for English
 * error messages (`Accept-Language: en`, the wording tests assert) unless `headers` name another language.
 */
export async function download(path: string, token?: string, headers: Record<string, string> = {}): Promise<Download> {
  const { server } = await testServer();
  return downloadFrom(server.url, path, token, headers);
}

/** The same against the server at `base` (another instance); `accept-language: ''` sends no language. */
export function downloadFrom(
  base: string,
  path: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}${path}`,
      { headers: { 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const isJson = String(res.headers['content-type'] ?? '').startsWith('application/json');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            trailers: res.trailers,
            body,
            json: isJson ? JSON.parse(body.toString('utf8')) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
  });
}

/** CSV text (BOM dropped) → records of strings, header first. */
export function parseCsv(body: Buffer): string[][] {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parse(text, { relax_column_count: false }) as string[][];
}

/** The first sheet of an XLSX as rows of cell values (null for empty), header first. */
export async function parseXlsx(body: Buffer): Promise<(string | number | null)[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
  const ws = wb.worksheets[0];
  const width = ws.getRow(1).cellCount;
  const out: (string | number | null)[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: (string | number | null)[] = [];
    for (let c = 1; c <= width; c++) {
      const v = row.getCell(c).value;
      cells.push(v === null || v === undefined ? null : (v as string | number));
    }
    out.push(cells);
  });
  return out;
}

/** The OWASP guard as the tests expect it, written independently of src/. */
export const guarded = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** A download that reads the head and first chunk, then is left paused (the server blocks on backpressure). */
export function pausedDownload(url: string, token: string) {
  return new Promise<{ req: http.ClientRequest; res: http.IncomingMessage; requestId: string; first: Buffer }>(
    (resolve, reject) => {
      const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.once('data', (first: Buffer) => {
          res.pause();
          resolve({ req, res, requestId: String(res.headers['x-request-id']), first });
        });
      });
      req.on('error', () => undefined);
      req.on('error', reject);
    },
  );
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * `items` items of one HS code (ten a declaration, `items / 10` declarations over 300 days of 2024) for
 * `participantId`, in two statements: the large trader whose exports tests stream, cut and limit.
 */
export async function insertBigTrader(participantId: string, items: number): Promise<void> {
  const { ds } = testDb();
  await ds.query(
    `INSERT INTO declarations (participant_id, number, registration_date, direction, customs_post_code, procedure_code,
         declarant_name, imported_at)
       SELECT $1, 'BIG-' || g, date '2024-01-01' + (g % 300), 'IM', '10100', '40', 'Big Trader', now()
         FROM generate_series(1, $2::int) g`,
    [participantId, items / 10],
  );
  await ds.query(
    `INSERT INTO declaration_items (participant_id, declaration_id, item_number, registration_date, direction,
         customs_post_code, procedure_code, hs_code, description, partner_country, transport_mode, net_weight_kg,
         gross_weight_kg, customs_value_azn, statistical_value_usd)
       SELECT d.participant_id, d.id, n, d.registration_date, d.direction, d.customs_post_code, d.procedure_code,
              '8471300000', repeat('a long description ', 10), 'CN', '3', 1.000, 2.000, 10.00, 5.88
         FROM declarations d, generate_series(1, 10) n WHERE d.participant_id = $1`,
    [participantId],
  );
}
