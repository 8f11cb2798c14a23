// The real-proxy matrix (test/real-proxies/matrix.ts) against a private mitmproxy (mitmdump, reverse mode) per site.
import { defineMatrix } from './run-matrix.js';

defineMatrix('mitmproxy');
