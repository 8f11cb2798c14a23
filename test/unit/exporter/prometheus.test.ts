// The report v1 as Prometheus text (src/report/prometheus.ts): the series a user alerts on, their
// values for the two-target fixture (staging passes, prod has the incident), escaping of hostile
// label values, and no key in any form.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, renderPrometheus } from '../../../src/report/prometheus.js';
import type { Report } from '../../../src/report/schema.js';
import { findLeaks } from '../../helpers/safety-leak.js';
import { fixtureReport, RAW_KEY } from '../report/fixture.js';

const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('renderPrometheus', () => {
  const report = fixtureReport();
  const text = renderPrometheus(report);

  it('gives each target its verdict, steps, findings and leftovers under its env label', () => {
    expect(text).toContain('hokus_check_success{env="staging"} 1\n');
    expect(text).toContain('hokus_check_success{env="prod"} 0\n');
    expect(text).toContain('hokus_check_step_success{env="prod",step="artifact"} 0\n');
    expect(text).toContain('hokus_check_step_status{env="prod",step="register",status="blocked"} 1\n');
    expect(text).toContain('hokus_check_finding{env="prod",code="ROUTE_ARTIFACTS_MISROUTED",step="artifact",root="true"} 1\n');
    expect(text).toContain('hokus_check_leftovers{env="prod"} 1\n');
    expect(lines(text).filter((l) => l.startsWith('hokus_check_finding{env="staging"'))).toEqual([]);
  });

  it('says which version checked which target, without credentials or query', () => {
    const withSecrets: Report = structuredClone(report);
    withSecrets.targets[0]!.registryUrl = 'https://monitor:s3cret@registry.example/base?api_key=abc';
    const out = renderPrometheus(withSecrets);
    expect(out).toContain(`hokus_check_info{env="staging",version="${report.tool.version}",target="https://registry.example/base"} 1\n`);
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('abc');
  });

  it('sums HAR phases per step, in seconds', () => {
    const prod = report.targets.find((t) => t.name === 'prod')!;
    const step = prod.steps.find((s) => s.id === 'artifact')!;
    const wait = prod.exchanges.filter((x) => step.exchanges.includes(x.id)).reduce((s, x) => s + Math.max(0, x.timings.wait), 0);
    expect(wait).toBeGreaterThan(0);
    expect(text).toContain(`hokus_check_step_phase_seconds{env="prod",step="artifact",phase="wait"} ${wait / 1000}\n`);
  });

  it('leaves a skipped step without a success sample (absent, not 0)', () => {
    const skipped: Report = structuredClone(report);
    const auth = skipped.targets[0]!.steps.find((s) => s.id === 'auth')!;
    auth.status = 'skipped';
    const out = renderPrometheus(skipped);
    expect(out).not.toContain('hokus_check_step_success{env="staging",step="auth"}');
    expect(out).toContain('hokus_check_step_status{env="staging",step="auth",status="skipped"} 1\n');
  });

  it('one HELP and TYPE per family, every sample line well-formed, and promtool agrees', () => {
    const names = text
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2]);
    expect(new Set(names).size).toBe(names.length);
    for (const line of lines(text)) expect(line).toMatch(/^hokus_check_[a-z_]+\{(?:[a-z_]+="(?:[^"\\\n]|\\.)*",?)+\} -?[0-9.e+-]+$/);
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it('escapes a hostile environment name into one label value: no new line, no control character', () => {
    const hostile: Report = structuredClone(report);
    hostile.targets[0]!.name = 'a"b\\c\nhokus_check_success{env="x"} 1\u001b[31m\u0007';
    const out = renderPrometheus(hostile);
    expect(out).toContain('hokus_check_success{env="a\\"b\\\\chokus_check_success{env=\\"x\\"} 1[31m"} 1\n');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(lines(out).filter((l) => l.startsWith('hokus_check_success'))).toHaveLength(2);
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: out, encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it('never carries the key', () => {
    expect(findLeaks(text, RAW_KEY)).toEqual([]);
  });
});

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['quote " and backslash \\', 'quote \\" and backslash \\\\'],
    ['line\nbreak\r\u2028', 'linebreak'],
    ['C1 \u009b31m', 'C1 31m'],
  ])('%j → %j', (input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });

  it('cuts long values at 200 characters, never inside an escape', () => {
    expect(escapeLabelValue('"'.repeat(300))).toBe('\\"'.repeat(200));
  });
});
