/**
 * GraphiQL for analysts, served entirely from node_modules (no CDN at run time): graphiql 3.9's
 * UMD build with React 18's UMD files.
 */
import path from 'node:path';
import type { Express } from 'express';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

function assetPath(a: { pkg: string; file: string }): string {
  return path.join(path.dirname(require.resolve(`${a.pkg}/package.json`)), a.file);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Customs trade statistics — GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/assets/app.js"></script>
</body>
</html>`;

// Kept out of the page so the Content-Security-Policy needs no 'unsafe-inline' for scripts.
const APP_JS = `(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
  var defaultQuery = [
    '# 1. Log in: npm start prints demo bearer tokens; or use login(username, password),',
    '#    or loginWithSignature (see the README) and copy the token.',
    '# 2. Put it in the Headers tab below: {"Authorization": "Bearer <token>"}',
    '# 3. Ask for statistics:',
    'query Statistics {',
    '  tradeStatistics(groupBy: [YEAR, DIRECTION], filter: { from: "2024-01-01" }) {',
    '    rows { key { year direction } measures { declarationCount itemCount customsValueAzn } }',
    '    totals { declarationCount customsValueAzn }',
    '    truncated',
    '  }',
    '}',
  ].join('\\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true }));
})();`;

export function mountGraphiql(app: Express): void {
  const csp =
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "script-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'";
  app.get('/graphiql', (_req, res) => {
    res.set('Content-Security-Policy', csp).type('html').send(PAGE);
  });
  app.get('/graphiql/assets/app.js', (_req, res) => {
    res.type('text/javascript').send(APP_JS);
  });
  for (const [name, a] of Object.entries(ASSETS)) {
    const file = assetPath(a);
    app.get(`/graphiql/assets/${name}`, (_req, res) => {
      res.type(a.type).set('Cache-Control', 'public, max-age=86400').sendFile(file);
    });
  }
}
