// `--listen HOST:PORT` → where the exporter binds. Accepts '127.0.0.1:9464', ':9464' (every
// interface, as blackbox_exporter's --web.listen-address), '[::1]:9464', 'localhost:9464'.
import { isIP } from 'node:net';
import { UsageError } from '../config/errors.js';
import { quoteSafely } from '../config/key-guard.js';

export interface ListenAddress {
  /** Undefined: every interface. */
  host?: string;
  port: number;
}

export function parseListen(text: string): ListenAddress {
  const bad = (why: string) => new UsageError(`--listen ${quoteSafely(text)}: ${why} (expected HOST:PORT, e.g. 127.0.0.1:9464 or :9464)`);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw bad('not a host and port');
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) throw bad('port out of range 0-65535');
  const v6 = m[1];
  const host = v6 ?? m[2] ?? '';
  if (v6 !== undefined && isIP(v6) !== 6) throw bad('not an IPv6 address');
  if (
    v6 === undefined &&
    host !== '' &&
    isIP(host) === 0 &&
    !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(host)
  ) {
    throw bad('not a host name or IP address');
  }
  return host === '' ? { port } : { host, port };
}

/** The URL a client would use: 'http://127.0.0.1:9464', 'http://[::1]:9464'. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
