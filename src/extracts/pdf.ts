/**
 * The PDF form of an extract (pdfkit): the statement and the figures as pages in DejaVu Sans (embedded as a
 * subset; it covers ə ğ ı ö ü ç ş and Cyrillic), and the extract's CSV text as the embedded file `extract.csv`,
 * so a program reads the figures without text extraction (`embeddedCsv`).
 *
 * Deterministic: every date in the file (document info, attachment) is the time of issue from the injected
 * clock, and pdfkit derives the file ID from the document info, so the same statement gives the same bytes.
 * The font is read from the dejavu-fonts-ttf package at run time (not committed).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import PDFDocument from 'pdfkit';
import {
  DOCUMENT_TITLE,
  ISSUER,
  parseCsvRecords,
  statementCsv,
  statementFields,
  type ExtractStatement,
} from './document';

export const ATTACHMENT_NAME = 'extract.csv';

let fonts: { regular: Buffer; bold: Buffer } | undefined;
function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

const LABELS: Record<string, string> = {
  document: 'Sənəd / Document',
  issuer: 'Verən / Issued by',
  format: 'Format',
  issuedAt: 'Verilmə vaxtı / Issued at (UTC)',
  participantName: 'İştirakçı / Participant',
  participantKind: 'Növü / Kind',
  participantVoen: 'VÖEN',
  participantFin: 'FİN',
  participantGooen: 'GÖÖEN',
  filter: 'Sorğu: filtr / Query: filter',
  groupBy: 'Sorğu: qruplaşdırma / Query: groupBy',
  auditRecordId: 'Audit qeydi / Audit record id',
  auditRecordSeq: 'Audit zənciri mövqeyi / Audit chain seq',
  auditRequestId: 'Sorğu identifikatoru / Request id',
  figuresSha256: 'Rəqəmlərin SHA-256 / SHA-256 of the figures',
  signer: 'İmzalayan / Signed by',
};

/** Renders the PDF; resolves with its bytes. */
export function renderPdf(s: ExtractStatement): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 40,
    info: {
      Title: DOCUMENT_TITLE,
      Author: ISSUER,
      Subject: `${s.participant.name}: ${s.query.groupBy.join(', ') || 'totals'}`,
      Creator: 'customs-stats statisticalExtract',
      Producer: 'customs-stats (pdfkit)',
      CreationDate: s.issuedAt,
      ModDate: s.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  doc.font('bold').fontSize(13).text(DOCUMENT_TITLE, { width });
  doc.moveDown(0.6);
  doc.fontSize(8.5);
  for (const [k, v] of statementFields(s)) {
    if (k === 'document') continue;
    const y = doc.y;
    doc.font('bold').text(LABELS[k] ?? k, left, y, { width: 230 });
    const labelEnd = doc.y;
    doc.font('body').text(v === '' ? '—' : v, left + 240, y, { width: width - 240 });
    doc.y = Math.max(doc.y, labelEnd) + 1;
  }
  doc.moveDown(0.8);

  // Figures: the same records as the CSV figures block (and the embedded extract.csv).
  const records = parseCsvRecords(s.figuresCsv);
  const header = records[0] ?? [];
  const colWidth = width / Math.max(header.length, 1);
  const fontSize = header.length > 12 ? 6 : 7;
  const rowHeight = fontSize + 5;
  const drawRow = (cells: readonly string[], font: 'body' | 'bold') => {
    if (doc.y + rowHeight > bottom()) {
      doc.addPage();
      drawRow(header, 'bold');
    }
    const y = doc.y;
    doc.font(font).fontSize(fontSize);
    cells.forEach((c, n) => {
      doc.text(c, left + n * colWidth, y, { width: colWidth - 3, lineBreak: false, ellipsis: true });
    });
    doc.y = y + rowHeight;
  };
  doc.font('bold').fontSize(10).text('Rəqəmlər / Figures', left, doc.y);
  doc.moveDown(0.3);
  drawRow(header, 'bold');
  for (const r of records.slice(1)) drawRow(r, r[0] === 'total' ? 'bold' : 'body');

  doc.moveDown(1);
  if (doc.y + 40 > bottom()) doc.addPage();
  doc
    .font('body')
    .fontSize(7.5)
    .text(
      'Bu sənəd ayrıca CMS imzası (.p7s) ilə verilir / This document comes with a detached CMS signature (.p7s). ' +
        'Yoxlama / Verify: openssl cms -verify -binary -content FILE -inform DER -in FILE.p7s -CAfile ROOT ' +
        '— or npm run verify-extract -- FILE. ' +
        `The figures are also embedded in this PDF as the file ${ATTACHMENT_NAME}.`,
      left,
      doc.y,
      { width },
    );

  doc.file(Buffer.from(statementCsv(s), 'utf8'), {
    name: ATTACHMENT_NAME,
    type: 'text/csv',
    description: 'The extract as CSV: statement and figures',
    creationDate: s.issuedAt,
    modifiedDate: s.issuedAt,
  });
  doc.end();
  return done;
}

/** Most bytes an embedded extract.csv may inflate to (verify-extract reads files from anywhere). */
const MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024;

/**
 * The embedded `extract.csv` of a PDF this module wrote, or null when there is none. Reads the one
 * /EmbeddedFile stream (Flate or uncompressed) without a general PDF parser; only ever applied to a
 * PDF whose signature has verified.
 */
export function embeddedCsv(pdf: Buffer): string | null {
  const latin = pdf.toString('latin1');
  const at = latin.indexOf('/Type /EmbeddedFile');
  if (at < 0) return null;
  const objStart = latin.lastIndexOf(' obj', at);
  const streamAt = latin.indexOf('stream\n', at);
  if (objStart < 0 || streamAt < 0) return null;
  const dict = latin.slice(objStart, streamAt);
  const length = /\/Length (\d+)/.exec(dict);
  if (!length) return null;
  const start = streamAt + 'stream\n'.length;
  const raw = pdf.subarray(start, start + Number(length[1]));
  const data = /\/Filter \/FlateDecode/.test(dict)
    ? zlib.inflateSync(raw, { maxOutputLength: MAX_ATTACHMENT_BYTES })
    : raw;
  return data.toString('utf8');
}
