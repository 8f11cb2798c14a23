// The one table `npm run bench` prints: a row per figure, medians with (min–max).

/** Rows of the table from the measured figures (also stored in results.json). */
export function figureRows(r) {
  const rows = [];
  const cs = r.coldStart;
  rows.push(
    row('1 cold start: --version', ms(cs.version), 'node -e 0', ms(cs.node), cs.version.median / cs.node.median, '≤ 2×', (x) => x <= 2),
  );
  rows.push(row('  cold start: --help', ms(cs.help), 'node -e 0', ms(cs.node), cs.help.median / cs.node.median, '(none)'));
  const fc = r.fullCheck;
  rows.push(
    row(
      `2 full check, wall (${fc.exchanges} exchanges)`,
      ms(fc.wall.cli),
      'undici floor',
      ms(fc.wall.floor),
      fc.wall.cli.median / fc.wall.floor.median,
      '≤ 1.1×',
      (x) => x <= 1.1,
    ),
  );
  const fl = r.fullCheckLatency;
  if (fl) {
    rows.push(
      row(
        `  full check, wall, ${fl.latencyMs} ms per request`,
        ms(fl.wall.cli),
        'undici floor',
        ms(fl.wall.floor),
        fl.wall.cli.median / fl.wall.floor.median,
        '≤ 0.75×',
        (x) => x <= 0.75,
      ),
    );
  }
  const beyond = fc.cpu.cli.median - fc.cpu.node.median;
  rows.push({
    figure: '3 CPU per check (user+sys)',
    tool: ms(fc.cpu.cli),
    refName: 'node -e 0',
    ref: ms(fc.cpu.node),
    ratio: `+${beyond.toFixed(0)} ms`,
    target: '≤ +60 ms',
    met: beyond <= 60 ? 'yes' : 'NO',
    value: beyond,
  });
  rows.push(
    row(
      '  CPU per exchange (user+sys)',
      ms(fc.cpuPerExchange.cli, 2),
      'undici floor',
      ms(fc.cpuPerExchange.floor, 2),
      fc.cpuPerExchange.cli.median / fc.cpuPerExchange.floor.median,
      '(none)',
    ),
  );
  const a = r.artifact;
  if (a) {
    rows.push(
      row(
        `4 ${r.artifactSize} PUT+GET throughput`,
        unit(a.cli.mibps, 'MiB/s'),
        'curl',
        unit(a.curl.mibps, 'MiB/s'),
        a.cli.mibps.median / a.curl.mibps.median,
        '≥ 0.8×',
        (x) => x >= 0.8,
      ),
    );
    const rss = a.cli.rssMiB.median;
    rows.push({
      figure: '  peak RSS of the CLI',
      tool: unit(a.cli.rssMiB, 'MiB'),
      refName: '',
      ref: '',
      ratio: '',
      target: '< 100 MiB',
      met: rss < 100 ? 'yes' : 'NO',
      value: rss,
    });
  }
  return rows;
}

/** Fixed-width text, one line per row, under a header. */
export function renderTable(rows) {
  const head = {
    figure: 'figure',
    tool: 'hokus-check median (min–max)',
    refName: 'reference',
    ref: 'median (min–max)',
    ratio: 'ratio',
    target: 'target',
    met: 'met',
  };
  const cols = Object.keys(head);
  const all = [head, ...rows];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...all.map((r) => String(r[c]).length))]));
  const line = (r) =>
    cols
      .map((c) => String(r[c]).padEnd(width[c]))
      .join('  ')
      .trimEnd();
  return [line(head), cols.map((c) => '-'.repeat(width[c])).join('  '), ...rows.map(line)].join('\n');
}

function row(figure, tool, refName, ref, ratio, target, meets) {
  return {
    figure,
    tool,
    refName,
    ref,
    ratio: Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '?',
    target,
    met: meets ? (meets(ratio) ? 'yes' : 'NO') : '',
    value: ratio,
  };
}

function ms(s, digits = 0) {
  return unit(s, 'ms', digits);
}

function unit(s, name, digits = 0) {
  const f = (x) => x.toFixed(digits);
  return `${f(s.median)} ${name} (${f(s.min)}–${f(s.max)})`;
}
