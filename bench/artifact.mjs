// Figure 4: a large artifact PUT + GET through the check (`--artifact-size`), against curl uploading
// and downloading the same number of bytes to the same endpoint (the API service's /api/mlflow proxy
// of the embedded stack). Throughput = bytes moved both ways / time of the two transfers: for the
// check, the PUT and GET exchanges' own timings from its --json report; for curl, its time_total.
// Peak RSS is the CLI process's (getrusage, via the hook).
import { createCipheriv, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mustPass, scratchFile, stats } from './measure.mjs';

const NODE = process.execPath;
const CURL = existsSync('/usr/bin/curl') ? '/usr/bin/curl' : 'curl';
const MiB = 1024 * 1024;

export async function artifact({ stack, size, sizeText, runs }) {
  const file = scratchFile('artifact.bin');
  await writePseudoRandom(file, size);
  // The key goes to curl in a header file (mode 600), never on its command line.
  const headers = scratchFile('curl-headers');
  writeFileSync(headers, `Authorization: Bearer ${stack.apiKey}\nExpect:\n`, { mode: 0o600 });
  const base = `${stack.registryUrl}/api/mlflow/api/2.0/mlflow-artifacts/artifacts`;

  const cli = [];
  const curl = [];
  for (let i = 0; i < runs; i++) {
    cli.push(await checkRun(stack, sizeText, size, i));
    curl.push(await curlRun(base, `bench-curl-${i}`, file, headers, size));
  }
  const summary = (list, keys) => Object.fromEntries(keys.map((k) => [k, stats(list.map((x) => x[k]))]));
  return {
    bytes: size,
    cli: summary(cli, ['mibps', 'seconds', 'putSeconds', 'getSeconds', 'rssMiB', 'cpuSeconds']),
    curl: summary(curl, ['mibps', 'seconds', 'putSeconds', 'getSeconds']),
  };
}

async function checkRun(stack, sizeText, size, i) {
  const report = scratchFile(`artifact-${i}.json`);
  const r = await mustPass(
    NODE,
    ['bin/hokus-check.js', '--registry-url', stack.registryUrl, '--auth-url', stack.authUrl, '--artifact-size', sizeText, '--json', report],
    { env: { HOKUSAI_API_KEY: stack.apiKey }, rusage: true },
  );
  const target = JSON.parse(readFileSync(report, 'utf8')).targets[0];
  const step = target.steps.find((s) => s.id === 'artifact');
  if (step?.status !== 'pass') throw new Error(`artifact step did not pass: ${JSON.stringify(step)}`);
  const put = target.exchanges.find((x) => x.label === 'PUT artifact' && !x.retried);
  const get = target.exchanges.find((x) => x.label === 'GET artifact' && !x.retried);
  if (put?.request.bodySize !== size || get?.response?.bodySize !== size) throw new Error('the check did not move the whole artifact');
  const putSeconds = put.timings.total / 1000;
  const getSeconds = get.timings.total / 1000;
  const seconds = putSeconds + getSeconds;
  return { seconds, putSeconds, getSeconds, mibps: (2 * size) / MiB / seconds, rssMiB: r.rssMiB, cpuSeconds: r.cpuMs / 1000 };
}

async function curlRun(base, dir, file, headers, size) {
  const url = `${base}/${dir}/artifact.bin`;
  const common = ['-sS', '--fail', '-o', '/dev/null', '-H', `@${headers}`, '-w', '%{time_total} %{size_upload} %{size_download}'];
  const put = await mustPass(CURL, [...common, '-H', 'content-type: application/octet-stream', '-T', file, url]);
  const get = await mustPass(CURL, [...common, url]);
  // MLflow 2.12.2 deletes directories only (a file is an HTML 500): remove the run's folder.
  await mustPass(CURL, ['-sS', '--fail', '-o', '/dev/null', '-H', `@${headers}`, '-X', 'DELETE', `${base}/${dir}`]);
  const [putS, sent] = put.stdout.trim().split(' ').map(Number);
  const [getS, , received] = get.stdout.trim().split(' ').map(Number);
  if (sent !== size || received !== size) throw new Error(`curl moved ${sent} up / ${received} down, not ${size}`);
  const seconds = putS + getS;
  return { seconds, putSeconds: putS, getSeconds: getS, mibps: (2 * size) / MiB / seconds };
}

/** `size` pseudo-random bytes (AES-CTR keystream, as the check generates) written to `file`. */
async function writePseudoRandom(file, size) {
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), Buffer.alloc(16));
  const block = Buffer.alloc(MiB);
  let left = size;
  const source = Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(MiB, left);
        left -= n;
        yield cipher.update(block.subarray(0, n));
      }
    })(),
  );
  await pipeline(source, createWriteStream(file));
}
