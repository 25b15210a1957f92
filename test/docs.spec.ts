/**
 * The project documents itself: every file and link the documentation names exists in the
 * repository, and nothing points outside it (a clone has only the repository).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.data', 'dist', 'coverage']);

/** Every file of the checkout, relative paths, without dependencies, data and build output. */
function walk(dir = ''): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) || rel === path.join('bench', 'out') ? [] : walk(rel);
    return e.isFile() ? [rel] : [];
  });
}

const FILES = walk();
const DOCS = FILES.filter((f) => f.endsWith('.md'));

describe('documentation', () => {
  it('nothing in the repository refers to the design notes outside it', () => {
    // src/shared is a folder of the repository (`../shared/errors` is fine); the design notes' folder is not
    const outside = ['shared', 'design', ''].join('/');
    const absolute = ['', 'work', 'shared', ''].join('/');
    const hits = FILES.filter((f) => /\.(ts|js|json|md|sh|txt|ya?ml)$/.test(f) || !path.extname(f)).filter((f) => {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      return text.includes(outside) || text.includes(absolute);
    });
    expect(hits).to.deep.equal([]);
  });

  it('every repository path in backquotes and every relative link of the Markdown files exists', () => {
    expect(DOCS).to.include.members(['README.md', 'docs/import-format.md', 'docs/regulation.md']);
    const missing: string[] = [];
    for (const doc of DOCS) {
      const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
      for (const m of text.matchAll(/`((?:src|test|docs|certs-test|scripts|bench)\/[\w./-]*\w)`/g)) {
        if (!fs.existsSync(path.join(ROOT, m[1]!))) missing.push(`${doc}: ${m[1]}`);
      }
      for (const m of text.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)) {
        if (!fs.existsSync(path.join(ROOT, path.dirname(doc), m[1]!))) missing.push(`${doc}: (${m[1]})`);
      }
    }
    expect(missing).to.deep.equal([]);
  });
});
