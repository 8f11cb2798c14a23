// The real-proxy matrix (test/real-proxies/matrix.ts) against a private haproxy instance.
import { defineMatrix } from './run-matrix.js';

defineMatrix('haproxy');
