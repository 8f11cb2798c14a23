import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFor, proxyOrigin } from '../../../src/http/dispatcher.js';
import { client, startHttp, startTunnelProxy, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('proxy settings', () => {
  it('tunnels through HTTP_PROXY when given, and honours NO_PROXY', async () => {
    const target = await startHttp((_req, res) => res.end('hello'));
    servers.push(target);
    const proxy = await startTunnelProxy();
    const { tunnels, url: proxyUrl } = proxy;
    try {
      const proxied = client({ proxyEnv: { httpProxy: proxyUrl } });
      const r = await proxied.send({ step: 'health', label: 'h', method: 'GET', url: `${target.url}/health` });
      expect(r.text).toBe('hello');
      expect(tunnels).toEqual([`CONNECT 127.0.0.1:${target.port} HTTP/1.1`]);
      await proxied.close();

      const bypass = client({ proxyEnv: { httpProxy: proxyUrl, noProxy: '127.0.0.1' } });
      const d = await bypass.send({ step: 'health', label: 'h', method: 'GET', url: `${target.url}/health` });
      expect(d.text).toBe('hello');
      expect(tunnels).toHaveLength(1);
      await bypass.close();
    } finally {
      await proxy.close();
    }
  });

  it('gives up within the timeout when the proxy hangs up on every CONNECT', async () => {
    let attempts = 0;
    const proxy = net.createServer((socket) => {
      attempts++;
      socket.on('error', () => {});
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const http = client({ proxyEnv: { httpProxy: proxyUrl }, timeoutMs: 300 });
      const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: 'http://127.0.0.1:9/health' });
      expect(r.exchange.error).toMatchObject({ kind: 'reset', phase: 'connect' });
      // One CONNECT per try: undici's reconnect loop is cut short.
      expect(attempts).toBe(1);
      expect(http.exchanges()).toHaveLength(1);
      await http.close();
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('ignores the proxy when no proxy settings are passed in', async () => {
    const target = await startHttp((_req, res) => res.end('direct'));
    servers.push(target);
    const http = client({ proxyEnv: {} });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: target.url });
    expect(r.text).toBe('direct');
    await http.close();
  });
});

describe("proxyFor: which requests go through the forward proxy (undici's EnvHttpProxyAgent rules)", () => {
  const P = 'http://proxy.corp.example:3128';
  const S = 'http://secure-proxy.corp.example:3129';
  it.each([
    ['no proxy settings', 'https://registry.example.com/x', undefined, undefined],
    ['https uses HTTPS_PROXY', 'https://registry.example.com/x', { httpProxy: P, httpsProxy: S }, S],
    ['https falls back to HTTP_PROXY', 'https://registry.example.com/x', { httpProxy: P }, P],
    ['http uses HTTP_PROXY only', 'http://registry.example.com/x', { httpsProxy: S }, undefined],
    ['NO_PROXY * turns it off', 'https://registry.example.com/x', { httpsProxy: S, noProxy: '*' }, undefined],
    ['a NO_PROXY host matches itself', 'https://example.com/x', { httpsProxy: S, noProxy: 'example.com' }, undefined],
    ['… and its subdomains', 'https://api.EXAMPLE.com/x', { httpsProxy: S, noProxy: 'Example.com' }, undefined],
    ['… but not a longer name', 'https://badexample.com/x', { httpsProxy: S, noProxy: 'example.com' }, S],
    ['.host and *.host are the same', 'https://api.example.com/x', { httpsProxy: S, noProxy: 'other.test, *.example.com' }, undefined],
    ['host:port matches that port only', 'https://example.com/x', { httpsProxy: S, noProxy: 'example.com:8443' }, S],
    ['… and does match it', 'https://example.com:8443/x', { httpsProxy: S, noProxy: 'other.test example.com:8443' }, undefined],
    ['an IPv6 literal with brackets', 'http://[::1]:5000/x', { httpProxy: P, noProxy: '[::1]' }, undefined],
    ['an IP address', 'http://127.0.0.1:5000/x', { httpProxy: P, noProxy: '127.0.0.1' }, undefined],
  ])('%s', (_name, url, env, expected) => {
    expect(proxyFor(new URL(url), env)).toBe(expected);
  });

  it('shows a proxy as scheme, host and port: never its credentials', () => {
    expect(proxyOrigin('http://ci:s3cr3t-Pa55@proxy.corp.example:3128')).toBe('http://proxy.corp.example:3128');
    expect(proxyOrigin('not a url')).not.toContain('not a url');
  });
});
