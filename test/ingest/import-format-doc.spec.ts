/**
 * docs/import-format.md shows a valid file, a file with mistakes and the errors it earns: this test
 * imports those very examples, so the page cannot drift from the importer. It also checks that the
 * page lists every column the importer knows, once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { DECLARATION_COLUMNS, ImportRejectedError, importDeclarations } from '../../src/ingest';
import { resetData, testDb } from '../support/db';

const PAGE = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'import-format.md'), 'utf8');

/** The fenced blocks of the page in the given language, in order. */
function blocks(lang: string): string[] {
  return [...PAGE.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

describe('docs/import-format.md against the importer', () => {
  beforeEach(resetData);

  it('lists each of the importer columns once in its column table', () => {
    const listed = [...PAGE.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed).to.deep.equal([...DECLARATION_COLUMNS]);
  });

  it('imports the valid example as the page says, and again without a change', async () => {
    const [valid] = blocks('csv');
    const { ds } = testDb();
    const first = await importDeclarations(ds, Readable.from([valid!]));
    expect(first).to.include({ inserted: 3, replaced: 0, rejected: 0, participantsCreated: 2 });
    const kinds = await ds.query(`SELECT name, kind FROM participants ORDER BY name`);
    expect(kinds).to.deep.equal([
      { name: 'Rəşad Quliyev (fərdi sahibkar)', kind: 'NATURAL_PERSON' },
      { name: 'Xəzər Logistika MMC', kind: 'LEGAL_ENTITY' },
    ]);
    const flags = await ds.query(
      `SELECT i.item_number, i.unknown_reference::text AS flags FROM declaration_items i
         JOIN declarations d ON d.participant_id = i.participant_id AND d.id = i.declaration_id
        WHERE d.number = '10100/2025/000123' ORDER BY i.item_number`,
    );
    expect(flags).to.deep.equal([
      { item_number: 1, flags: '{}' },
      { item_number: 2, flags: '{hs_heading}' },
    ]);
    const again = await importDeclarations(ds, Readable.from([valid!]));
    expect(again).to.include({ inserted: 0, replaced: 0, rejected: 0, unchanged: 3 });
  });

  it('rejects the example with mistakes with exactly the errors the page lists', async () => {
    const [, invalid] = blocks('csv');
    const [listed] = blocks('text');
    let error: unknown;
    try {
      await importDeclarations(testDb().ds, Readable.from([invalid!]));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).errors).to.deep.equal(listed!.trimEnd().split('\n'));
    expect((await testDb().ds.query('SELECT count(*)::int AS n FROM declarations'))[0].n).to.equal(0);
  });
});
