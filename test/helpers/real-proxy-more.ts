// The two proxies added to the real-proxy matrix last, to check the design rather than add
// to it: mitmproxy in reverse mode (Debian's mitmproxy 8.1, one mitmdump per site: 8.1 listens on one
// port) with an addon that routes each path as the site says, and a Node gateway (express with
// http-proxy-middleware, test/helpers/node-gateway.mjs, one process for every site). Rendered from
// the same site descriptions as nginx, HAProxy, Apache httpd and Caddy (real-proxy-configs.ts).
import { fileURLToPath } from 'node:url';
import type { RenderContext, Rendered, Site } from './real-proxy-configs.js';

export const MITMDUMP = '/usr/bin/mitmdump';
export const NODE_GATEWAY = fileURLToPath(new URL('./node-gateway.mjs', import.meta.url));

/**
 * One mitmdump per site, in reverse mode with `connection_strategy=lazy` (it connects upstream once
 * the request is read, so the addon's route is the one used). Its own answers: the 502 page for an
 * upstream it cannot reach, the 413 of `body_size_limit`, the 401 of `proxyauth`. What mitmproxy has
 * no setting for (a refused method, a denied path, no route) its addon answers, as a mitmproxy user's
 * script would; a read timeout it has none, so those cells leave it out.
 */
export function mitmproxy(sites: readonly Site[], ctx: RenderContext): Rendered {
  const files: Record<string, string> = { 'site.py': ADDON };
  const processes = sites.map((site) => {
    const port = ctx.ports.get(site.name)!;
    // A CA already there: mitmdump would otherwise make an RSA one at each start (~0.4 s of CPU each).
    files[`conf-${site.name}/mitmproxy-ca.pem`] = ctx.ownCaPem;
    files[`${site.name}.json`] = JSON.stringify({ site, ports: Object.fromEntries(ctx.ports) });
    const limit = Math.min(...site.routes.map((r) => r.maxBodyBytes ?? Infinity));
    const argv = [
      MITMDUMP,
      '--mode',
      `reverse:http://127.0.0.1:9`,
      '--listen-host',
      '127.0.0.1',
      '--listen-port',
      String(port),
      '--set',
      // Its own CA store per process: mitmdumps creating one store side by side read it half-written.
      `confdir=${ctx.dir}/conf-${site.name}`,
      '--set',
      'connection_strategy=lazy',
      '--set',
      'termlog_verbosity=warn',
      '-s',
      `${ctx.dir}/site.py`,
    ];
    if (Number.isFinite(limit)) argv.push('--set', `body_size_limit=${limit}`);
    if (site.login) argv.push('--set', `proxyauth=${site.login.user}:${site.login.password}`);
    if (site.tls) {
      // mitmproxy reads the key first, then the certificate chain.
      files[`${site.name}.pem`] = `${site.tls.key.trim()}\n${site.tls.cert.trim()}\n`;
      argv.push('--certs', `*=${ctx.dir}/${site.name}.pem`);
    }
    return argv;
  });
  return { files, argv: processes[0] ?? [MITMDUMP, '--version'], processes, env: { HOKUS_SITE_DIR: ctx.dir } };
}

/** One Node process serving every site: an express app per site (test/helpers/node-gateway.mjs). */
export function nodeGateway(sites: readonly Site[], ctx: RenderContext): Rendered {
  const files: Record<string, string> = { 'sites.json': JSON.stringify({ sites, ports: Object.fromEntries(ctx.ports), dir: ctx.dir }) };
  for (const site of sites) if (site.tls) Object.assign(files, { [`${site.name}.crt`]: site.tls.cert, [`${site.name}.key`]: site.tls.key });
  return { files, argv: [process.execPath, NODE_GATEWAY, `${ctx.dir}/sites.json`], env: { NODE_ENV: 'production' } };
}

// The addon: which route a request belongs to (the first whose prefix matches), and what it does.
const ADDON = `# mitmproxy addon for hokus-check's real-proxy matrix: routes one site (test/helpers/real-proxy-more.ts).
import json, os
from urllib.parse import urlsplit
from mitmproxy import ctx, http

class Site:
    def configure(self, updated):
        port = ctx.options.listen_port
        for name in os.listdir(os.environ["HOKUS_SITE_DIR"]):
            if name.endswith(".json"):
                data = json.load(open(os.path.join(os.environ["HOKUS_SITE_DIR"], name)))
                if data["ports"].get(data["site"]["name"]) == port:
                    self.site, self.ports = data["site"], data["ports"]

    def request(self, flow):
        site = self.site
        path = flow.request.path
        bare = path.split("?")[0]
        if site.get("sendTo"):
            flow.response = http.Response.make(302, b"", {"Location": site["sendTo"]})
            return
        if site.get("redirectTo"):
            flow.response = http.Response.make(301, b"", {"Location": "https://127.0.0.1:%d%s" % (self.ports[site["redirectTo"]], path)})
            return
        route = next((r for r in site["routes"] if (bare == r["path"] if r.get("exact") else bare.startswith(r["path"]))), None)
        if route is None or route["action"]["kind"] == "not-found":
            flow.response = http.Response.make(404, b"", {})
            return
        if flow.request.method in route.get("refuseMethods", []):
            flow.response = http.Response.make(405, b"", {"Allow": "GET, POST"})
            return
        action = route["action"]
        if action["kind"] == "deny":
            flow.response = http.Response.make(403, b"", {})
        elif action["kind"] == "unavailable":
            flow.response = http.Response.make(503, b"", {})
        elif action["kind"] == "respond":
            flow.response = http.Response.make(action["status"], action["body"].encode(), {"Content-Type": action["type"]})
        else:
            up = urlsplit(action["upstream"])
            flow.request.scheme, flow.request.host, flow.request.port = "http", up.hostname, up.port
            if "to" in action:
                flow.request.path = action["to"].rstrip("/") + "/" + path[len(route["path"]):]

addons = [Site()]
`;
