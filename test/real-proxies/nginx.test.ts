// The real-proxy matrix (test/real-proxies/matrix.ts) against a private nginx instance.
import { defineMatrix } from './run-matrix.js';

defineMatrix('nginx');
