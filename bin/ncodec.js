#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm install` (the package's prepare script).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ncodec: ${err?.message ?? err}\n`); process.exitCode = 1; },
);
