#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm install` (the package's prepare script).
import { main } from '../dist/src/cli/main.js';

// A closed pipe (`ncodec info x.ncd | head -1`) ends the command quietly instead of crashing it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ncodec: ${err?.message ?? err}\n`); process.exitCode = 1; },
);
