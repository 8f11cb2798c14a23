// One symbol per step status, shared by the terminal matrix, the Markdown report and the live progress lines.
import type { StepStatus } from '../steps/types.js';

export const STATUS_SYMBOL: Record<StepStatus, string> = {
  pass: '✔',
  fail: '✖',
  error: '!',
  warn: '▲',
  blocked: '●',
  skipped: '○',
};
