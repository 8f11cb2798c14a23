// The real-proxy matrix (test/real-proxies/matrix.ts) against a private caddy instance.
import { defineMatrix } from './run-matrix.js';

defineMatrix('caddy');
