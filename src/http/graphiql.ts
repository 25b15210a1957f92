/**
 * The analyst's workbench at /graphiql: GraphiQL 3.9's UMD build (with React 18's UMD files) and chart.js's UMD
 * build, served from node_modules, plus the workbench's own small script and style sheet from src/http/workbench
 * (sign-in, language, example questions, results as a table and a chart, CSV/XLSX downloads). No CDN, no bundler,
 * no build output: every byte the page loads is a file of the repository or of an installed package.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';

/** src/http/workbench, also when running from dist/ (`npm run build` compiles TypeScript only). */
export const WORKBENCH_DIR = path.resolve(__dirname, '..', '..', 'src', 'http', 'workbench');

interface Asset {
  /** The installed package, or null for a file of src/http/workbench. */
  pkg: string | null;
  file: string;
  type: string;
}

export const WORKBENCH_ASSETS: Record<string, Asset> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  'chart.js': { pkg: 'chart.js', file: 'dist/chart.umd.js', type: 'text/javascript' },
  'core.js': { pkg: null, file: 'core.js', type: 'text/javascript' },
  'workbench.js': { pkg: null, file: 'workbench.js', type: 'text/javascript' },
  'workbench.css': { pkg: null, file: 'workbench.css', type: 'text/css' },
};

/** An installed package's folder, also when its `exports` hide package.json (chart.js): up from its main file. */
function packageDir(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== pkg.split('/').pop()) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of the package ${pkg}`);
    dir = up;
  }
  return dir;
}

function assetPath(a: Asset): string {
  return a.pkg ? path.join(packageDir(a.pkg), a.file) : path.join(WORKBENCH_DIR, a.file);
}

/**
 * Everything the page needs and nothing more: scripts and style sheets from this origin only (no inline script;
 * inline styles because GraphiQL and chart.js set style attributes), GraphiQL's fonts, which its CSS embeds as
 * data: URIs (blocking them gave 69 console errors), images from here or data:, and requests to this origin only.
 */
export const WORKBENCH_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function mountGraphiql(app: Express): void {
  app.get('/graphiql', (_req, res) => {
    res
      .set('Content-Security-Policy', WORKBENCH_CSP)
      .set('Referrer-Policy', 'no-referrer')
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'no-cache')
      .type('html')
      .sendFile(path.join(WORKBENCH_DIR, 'index.html'), { dotfiles: 'allow' });
  });
  for (const [name, a] of Object.entries(WORKBENCH_ASSETS)) {
    const file = assetPath(a);
    // The workbench's own files change with the checkout; the packages' only with an install.
    const cache = a.pkg ? 'public, max-age=86400' : 'no-cache';
    app.get(`/graphiql/assets/${name}`, (_req, res) => {
      res
        .type(a.type)
        .set('Cache-Control', cache)
        .set('X-Content-Type-Options', 'nosniff')
        .sendFile(file, { dotfiles: 'allow' });
    });
  }
}
