// The real-proxy matrix (test/real-proxies/matrix.ts) against a private apache instance.
import { defineMatrix } from './run-matrix.js';

defineMatrix('apache');
