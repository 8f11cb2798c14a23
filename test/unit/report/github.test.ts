import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, renderGithubAnnotations } from '../../../src/report/github.js';
import { fixtureReport, incidentReport } from './fixture.js';

describe('GitHub annotations', () => {
  it('prints one ::error per root cause and one ::warning per warning, with the first fix', () => {
    const lines = renderGithubAnnotations(incidentReport()).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^::error title=ROUTE_ARTIFACTS_MISROUTED::Tracking calls pass through .* Fix: Rewrite api\/2\.0\/mlflow-artifacts\/ to ajax-api/,
    );
    expect(lines[1]).toMatch(/^::warning title=HEALTH_DEGRADED::GET \/health answered "degraded"/);
  });

  it('names the target when several were checked', () => {
    expect(renderGithubAnnotations(fixtureReport())).toContain('::error title=ROUTE_ARTIFACTS_MISROUTED::[prod] Tracking');
  });

  it('escapes %, CR and LF in messages and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    const report = incidentReport();
    const f = report.targets[0]!.findings[0]!;
    f.code = 'A:B,C';
    f.cause = 'line one\nline two 50%';
    const [line] = renderGithubAnnotations(report).split('\n');
    expect(line).toBe(`::error title=A%3AB%2CC::line one%0Aline two 50%25 Fix: ${f.fix[0]}`);
  });

  it('still annotates a failed step that no rule explained', () => {
    const report = incidentReport();
    report.targets[0]!.findings = [];
    expect(renderGithubAnnotations(report)).toBe('::error title=hokus-check::prod: artifact fail: 404 on PUT artifact\n');
  });

  it('prints nothing for a clean pass', () => {
    const report = fixtureReport();
    report.targets = [report.targets[0]!];
    expect(renderGithubAnnotations(report)).toBe('');
  });
});
