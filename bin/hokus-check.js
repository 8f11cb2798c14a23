#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm run build`). The one place that ends the process,
// with the exit code the command returned (src/exit-codes.ts).
import { main } from '../dist/cli.js';

process.exit(await main(process.argv.slice(2)));
