/** Writes schema.graphql from the type-graphql resolvers (`npm run emit-schema`). */
import fs from 'node:fs';
import 'reflect-metadata';
import { buildAppSchema, printAppSchema, SCHEMA_FILE } from '../graphql/schema';

buildAppSchema()
  .then((schema) => {
    fs.writeFileSync(SCHEMA_FILE, printAppSchema(schema));
    process.stderr.write(`wrote ${SCHEMA_FILE}\n`);
  })
  .catch((e) => {
    process.stderr.write(`emit-schema: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
