// Where a URL connects: its host and port, the scheme's default port written out. One owner for the
// forward-proxy route (dispatcher.ts), the proxy named in an error (classify.ts), and the diagnosis
// matching a probe to the port it asked about (diagnosis/evidence-query.ts).

export const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The port `url` connects to: its own, else the scheme's default (0 for an unknown scheme). */
export function portOf(url: URL): number {
  return Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
}

/** 'host:port' (an IPv6 host in brackets, as URL keeps it), or undefined when `url` does not parse. */
export function hostPortOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.hostname}:${portOf(u)}`;
  } catch {
    return undefined;
  }
}
