#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm run build`).
import '../dist/cli.js';
