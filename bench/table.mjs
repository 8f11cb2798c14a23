// The one table `npm run bench` prints: a row per figure, medians with (min–max).

/** Rows of the table from the measured figures (also stored in results.json). */
export function figureRows(r) {
  const rows = [];
  const cs = r.coldStart;
  rows.push(versus('1 cold start: --version', cs.version, 'node -e 0', cs.node, ms, '≤ 2×', (x) => x <= 2));
  rows.push(versus('  cold start: --help', cs.help, 'node -e 0', cs.node, ms, '(none)'));
  const fc = r.fullCheck;
  rows.push(
    versus(`2 full check, wall (${fc.exchanges} exchanges)`, fc.wall.cli, 'undici floor', fc.wall.floor, ms, '≤ 1.1×', (x) => x <= 1.1),
  );
  const fl = r.fullCheckLatency;
  if (fl) {
    rows.push(
      versus(
        `  full check, wall, ${fl.latencyMs} ms per request`,
        fl.wall.cli,
        'undici floor',
        fl.wall.floor,
        ms,
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
    versus('  CPU per exchange (user+sys)', fc.cpuPerExchange.cli, 'undici floor', fc.cpuPerExchange.floor, (s) => ms(s, 2), '(none)'),
  );
  const a = r.artifact;
  if (a) {
    const mibps = (s) => unit(s, 'MiB/s');
    rows.push(versus(`4 ${r.artifactSize} PUT+GET throughput`, a.cli.mibps, 'curl', a.curl.mibps, mibps, '≥ 0.8×', (x) => x >= 0.8));
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

/** A row comparing `tool` with `ref` (each a { median, min, max }, shown by `format`) by the ratio of their medians. */
function versus(figure, tool, refName, ref, format, target, meets) {
  return row(figure, format(tool), refName, format(ref), tool.median / ref.median, target, meets);
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
