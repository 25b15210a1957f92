// Loads TypeScript sources directly with SWC (keeps decorator metadata, which type-graphql
// and TypeORM need; tsx/esbuild does not emit it). Used by npm start, every CLI and mocha,
// so a fresh clone runs without a build step. `npm run build` produces dist/ for production.
'use strict';
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('reflect-metadata');
