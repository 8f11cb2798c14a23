// The real-proxy matrix (test/real-proxies/matrix.ts) against a Node gateway (express + http-proxy-middleware, test/helpers/node-gateway.mjs).
import { defineMatrix } from './run-matrix.js';

defineMatrix('node-gateway');
