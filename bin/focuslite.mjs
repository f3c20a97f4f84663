#!/usr/bin/env node
// Thin launcher: the CLI is bundled from src/cli by `npm install` (prepare) or `npm run prepare`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist-cli/focuslite.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('focuslite: the CLI is not built yet; run `npm run prepare` in the project folder.');
  process.exit(1); // not a usage error (2): the command line may be right
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
