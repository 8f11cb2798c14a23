// A loopback report collector for --post-report tests: records each POST (headers and raw body) and
// answers 200; parseMultipart reads a multipart/form-data body back into its parts (RFC 7578).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Collector {
  url: string;
  posts(): CollectedPost[];
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const posts: CollectedPost[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/incidents/reports`,
    posts: () => [...posts],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  body: string;
}

/** Splits a multipart/form-data body on the boundary of its Content-Type; throws when malformed. */
export function parseMultipart(contentType: string | undefined, body: Buffer): Part[] {
  const boundary = /^multipart\/form-data;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) throw new Error(`not multipart/form-data: ${contentType}`);
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const text = body.toString('utf8');
  const end = text.indexOf(`${delimiter}--`);
  if (end < 0) throw new Error('no closing boundary');
  const sections = text.slice(0, end).split(delimiter).slice(1);
  return sections.map((section) => {
    if (!section.startsWith('\r\n') || !section.endsWith('\r\n')) throw new Error('a part is not framed by CRLF');
    const inner = section.slice(2, -2);
    const split = inner.indexOf('\r\n\r\n');
    if (split < 0) throw new Error('a part has no header/body separator');
    const headers = inner.slice(0, split).split('\r\n');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) throw new Error(`a part has no name: ${disposition}`);
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '');
    return {
      name,
      ...(filename === undefined ? {} : { filename }),
      ...(type === undefined ? {} : { contentType: type }),
      body: inner.slice(split + 4),
    };
  });
}
