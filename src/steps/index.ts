// The check's steps in DAG order (README "The steps"). Root cause = first fail/error in this order.
import { artifactStep } from './artifact.js';
import { authStep } from './auth.js';
import { cleanupStep } from './cleanup.js';
import { experimentsStep } from './experiments.js';
import { healthStep } from './health.js';
import { registerStep } from './register.js';
import { runStep } from './run.js';
import type { Step } from './types.js';

export const STEPS: readonly Step[] = [authStep, healthStep, experimentsStep, runStep, artifactStep, registerStep, cleanupStep];
