import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { expect } from 'chai';
import { generateDeclarationsCsv } from '../../src/ingest/generate';
import { resetData, testDb } from '../support/db';
import { csv, row, tmpFile } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-r', './scripts/register.js', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testDb().url, NODE_ENV: 'test' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run import / generate (CLI)', function () {
  this.timeout(120_000);
  beforeEach(resetData);

  it('imports a file, prints the summary and exits 0', async () => {
    const file = tmpFile('ok.csv', csv([row({ item_number: '1' }), row({ item_number: '2' })]));
    const r = await run('src/cli/import.ts', [file]);
    expect(r.stderr).to.match(/inserted 2, replaced 0, rejected 0, participants created 1\n/);
    expect(r.stderr).to.match(/rows\/s/);
    expect(r.code).to.equal(0);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM declaration_items');
    expect(n).to.equal(2);
  });

  it('exits 1 and prints every error for an invalid file, importing nothing', async () => {
    const file = tmpFile(
      'bad.csv',
      csv([
        row({ item_number: '1' }),
        row({ item_number: '2', direction: 'XX' }),
        row({ item_number: '3', partner_country: 'ZZ' }),
      ]),
    );
    const r = await run('src/cli/import.ts', [file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('line 3: direction: "XX" is not IM or EX');
    expect(r.stderr).to.contain('line 4: partner_country: "ZZ" is not an ISO 3166-1 alpha-2 country code');
    expect(r.stderr).to.contain('nothing was imported');
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM participants');
    expect(n).to.equal(0);
  });

  it('with --skip-invalid imports the valid rows, writes the rejects file and exits 0', async () => {
    const file = tmpFile('mixed.csv', csv([row({ item_number: '1' }), row({ item_number: '2', direction: 'XX' })]));
    const rejects = tmpFile('rej.csv', '');
    const r = await run('src/cli/import.ts', [file, '--skip-invalid', '--rejects', rejects]);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.match(/inserted 1, replaced 0, rejected 1, participants created 1/);
    expect(r.stderr).to.contain(`rejected rows written to ${rejects}`);
  });

  it('rolls back on Ctrl-C: exit 130, nothing imported, no rejects file', async () => {
    const file = tmpFile('interrupted.csv', '');
    await pipeline(generateDeclarationsCsv({ items: 250_000, participants: 5, seed: 9 }), fs.createWriteStream(file));
    const rejects = `${file}.rej.csv`;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const p = spawn(
        process.execPath,
        ['-r', './scripts/register.js', 'src/cli/import.ts', file, '--skip-invalid', '--rejects', rejects],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: testDb().url, NODE_ENV: 'test' },
        },
      );
      let stderr = '';
      p.stderr.on('data', (d) => {
        stderr += d;
        if (/rows read/.test(stderr) && !p.killed) p.kill('SIGINT');
      });
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr, r.stderr).to.contain('SIGINT: stopping; rolling back');
    expect(r.stderr).to.contain('interrupted: nothing was imported');
    expect(r.code).to.equal(130);
    const [{ n }] = await testDb().ds.query('SELECT count(*)::int AS n FROM declaration_items');
    expect(n).to.equal(0);
    expect(fs.existsSync(rejects)).to.equal(false);
  });

  it('exits 2 on a usage error', async () => {
    const r = await run('src/cli/import.ts', []);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/usage: npm run import/);
  });

  it('explain-plans prints the plans of the service queries for the busiest participant, as the request role', async () => {
    const empty = await run('scripts/explain-plans.ts', []);
    expect(empty.code).to.equal(2);
    expect(empty.stderr).to.contain('no declarations');
    const file = tmpFile('plans.csv', csv([row({ item_number: '1' }), row({ item_number: '2' })]));
    expect((await run('src/cli/import.ts', [file])).code).to.equal(0);
    const [{ pid }] = await testDb().ds.query('SELECT id::text AS pid FROM participants');
    const r = await run('scripts/explain-plans.ts', []);
    expect(r.code, r.stderr).to.equal(0);
    // Rollups are kept for every trader the importer loads (STATS_ROLLUP_MIN_ITEMS 0 by default).
    expect(r.stdout).to.contain(`participant ${pid}: 2 items, rollups kept`);
    for (const section of [
      'declarations page',
      'as LIKE under RLS',
      'as a range [reads items]',
      'date range',
      'HS2 x COUNTRY x YEAR [reads rollups]',
    ]) {
      expect(r.stdout, section).to.contain(section);
    }
    // Run under row-level security: the plans carry the policy's filter on the bound participant.
    expect(r.stdout).to.contain(`current_setting('app.participant_id'::text, true)`);
    expect((await run('scripts/explain-plans.ts', ['--participant', 'x'])).code).to.equal(2);
  });

  it('generates the same CSV for the same seed on stdout', async () => {
    const a = await run('src/cli/generate.ts', ['--items', '50', '--participants', '5', '--seed', '7']);
    const b = await run('src/cli/generate.ts', ['--items', '50', '--participants', '5', '--seed', '7']);
    expect(a.code).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    expect(a.stdout.trim().split('\n')).to.have.length(51);
    const bad = await run('src/cli/generate.ts', ['--items', 'many']);
    expect(bad.code).to.equal(2);
  });
});
