// Configuration text for the real reverse proxies of the test suite (nginx, HAProxy, Apache httpd,
// Caddy; mitmproxy and a Node gateway in real-proxy-more.ts), rendered from one description of the sites each test needs. Every directive here is the
// proxy's own, as its manual documents it: the faults a test provokes are the proxy's answers.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { MITMDUMP, mitmproxy, nodeGateway } from './real-proxy-more.js';

export type ProxyKind = 'nginx' | 'haproxy' | 'apache' | 'caddy' | 'mitmproxy' | 'node-gateway';

export interface Pems {
  key: string;
  cert: string;
}

/** What a route does with a request whose path it matches. */
export type RouteAction =
  /** Forward to `upstream` (an origin); `to` replaces the matched prefix (default: the path is kept). */
  | { kind: 'proxy'; upstream: string; to?: string }
  /** The proxy answers itself with this status, type and body (a custom error page). */
  | { kind: 'respond'; status: number; type: string; body: string }
  /** The proxy's own "no such path" answer (its built-in 404). */
  | { kind: 'not-found' }
  /** The proxy's own refusal of every method (its built-in 403: an access rule). */
  | { kind: 'deny' }
  /** The proxy has no upstream for the route (an ingress whose Service has no endpoints): its own 503. */
  | { kind: 'unavailable' };

export interface Route {
  /** A path prefix ending in '/' ('/api/mlflow/'), or an exact path when `exact`. */
  path: string;
  exact?: boolean;
  action: RouteAction;
  /** Seconds the proxy waits for the upstream's answer. */
  timeoutS?: number;
  /** Largest request body the proxy accepts (bytes); larger ones get its 413. */
  maxBodyBytes?: number;
  /** Methods the proxy refuses on this route (its own 403, or 405 where that is its way). */
  refuseMethods?: string[];
  /** The proxy lets one request through, then refuses the rest with this status (nginx/HAProxy only). */
  rateLimitStatus?: 429 | 503;
  /** Requests with a larger body: the proxy closes the connection instead of answering (HAProxy's `http-request reject`, the Node gateway). */
  rejectOverBytes?: number;
}

/** HTTP Basic authentication the proxy demands for every path of a site (a staging login wall). */
export interface Login {
  realm: string;
  user: string;
  password: string;
}

export interface Site {
  name: string;
  /** The proxy asks for this login before it forwards or answers anything. */
  login?: Login;
  /** The proxy answers every request with a 302 to this absolute URL (a browser login, SSO). */
  sendTo?: string;
  /** Routes, most specific first. A request no route matches gets the proxy's own 404. */
  routes: Route[];
  /** Serve HTTPS with this certificate. */
  tls?: Pems;
  /** Answer every request with a redirect to this site (by name), on https. */
  redirectTo?: string;
}

export interface RenderContext {
  dir: string;
  /** Port of each site, by name. */
  ports: Map<string, number>;
  /** Whether the process runs as root (Apache then needs a User to switch to). */
  root: boolean;
  /** A CA made once per test process (key then certificate, PEM), for a proxy that wants its own. */
  ownCaPem: string;
}

/** Files to write (relative to ctx.dir) and the argv that starts the proxy in the foreground. */
export interface Rendered {
  files: Record<string, string>;
  argv: string[];
  /** When the proxy runs one process per site (mitmproxy 8 listens on one port): every argv. */
  processes?: string[][];
  env?: Record<string, string>;
}

export const BINARIES: Record<ProxyKind, string> = {
  nginx: '/usr/sbin/nginx',
  haproxy: '/usr/sbin/haproxy',
  apache: '/usr/sbin/apache2',
  caddy: '/usr/bin/caddy',
  mitmproxy: MITMDUMP,
  'node-gateway': process.execPath,
};

export function render(kind: ProxyKind, sites: readonly Site[], ctx: RenderContext): Rendered {
  switch (kind) {
    case 'nginx':
      return nginx(sites, ctx);
    case 'haproxy':
      return haproxy(sites, ctx);
    case 'apache':
      return apache(sites, ctx);
    case 'caddy':
      return caddy(sites, ctx);
    case 'mitmproxy':
      return mitmproxy(sites, ctx);
    case 'node-gateway':
      return nodeGateway(sites, ctx);
  }
}

function port(ctx: RenderContext, site: string): number {
  const p = ctx.ports.get(site);
  if (p === undefined) throw new Error(`no port for site ${site}`);
  return p;
}

function certFiles(site: Site): Record<string, string> {
  return site.tls
    ? {
        [`${site.name}.crt`]: site.tls.cert,
        [`${site.name}.key`]: site.tls.key,
        [`${site.name}.pem`]: `${site.tls.cert.trim()}\n${site.tls.key.trim()}\n`,
      }
    : {};
}

function hostPort(origin: string): string {
  return new URL(origin).host;
}

function strip(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

// ---------------------------------------------------------------------------------------------
// nginx: one server block per site; `master_process off` keeps it to one process that never
// switches user.

function nginx(sites: readonly Site[], ctx: RenderContext): Rendered {
  const d = ctx.dir;
  const zones: string[] = [];
  const servers = sites.map((site) => {
    const p = port(ctx, site.name);
    const listen = site.tls
      ? `listen 127.0.0.1:${p} ssl;\n    ssl_certificate ${d}/${site.name}.crt;\n    ssl_certificate_key ${d}/${site.name}.key;`
      : `listen 127.0.0.1:${p};`;
    if (site.redirectTo)
      return `  server {\n    ${listen}\n    return 301 https://127.0.0.1:${port(ctx, site.redirectTo)}$request_uri;\n  }`;
    if (site.sendTo) return `  server {\n    ${listen}\n    return 302 "${site.sendTo}";\n  }`;
    const locations = site.routes.map((r, i) => {
      const lines: string[] = [];
      if (r.maxBodyBytes !== undefined) lines.push(`client_max_body_size ${r.maxBodyBytes};`);
      if (r.refuseMethods) {
        const allowed = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => !r.refuseMethods!.includes(m));
        lines.push(`limit_except ${allowed.join(' ')} { deny all; }`);
      }
      if (r.rateLimitStatus) {
        const zone = `rl_${site.name.replace(/\W/g, '_')}_${i}`;
        zones.push(`limit_req_zone $server_port zone=${zone}:1m rate=1r/m;`);
        lines.push(`limit_req zone=${zone};`, `limit_req_status ${r.rateLimitStatus};`);
      }
      const a = r.action;
      if (a.kind === 'proxy') {
        if (r.timeoutS !== undefined) lines.push(`proxy_read_timeout ${r.timeoutS}s;`, `proxy_send_timeout ${r.timeoutS}s;`);
        lines.push(`proxy_pass http://${hostPort(a.upstream)}${a.to ?? ''};`);
      } else if (a.kind === 'respond') {
        lines.push(`default_type ${a.type};`, `return ${a.status} '${a.body.replace(/'/g, "\\'")}';`);
      } else if (a.kind === 'deny') {
        lines.push('deny all;');
      } else if (a.kind === 'unavailable') {
        lines.push('return 503;');
      } else {
        lines.push(`root ${d}/empty;`);
      }
      return `    location ${r.exact ? '=' : '^~'} ${r.path} {\n      ${lines.join('\n      ')}\n    }`;
    });
    const login = site.login ? `\n    auth_basic "${site.login.realm}";\n    auth_basic_user_file ${d}/${site.name}.htpasswd;` : '';
    return `  server {\n    ${listen}\n    root ${d}/empty;${login}\n${locations.join('\n')}\n  }`;
  });
  const conf = `# private instance for hokus-check tests
master_process off;
daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/tmp/body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
  proxy_connect_timeout 2s;
  ${zones.join('\n  ')}
${servers.join('\n')}
}
`;
  const files: Record<string, string> = { 'nginx.conf': conf, 'empty/.keep': '', 'tmp/.keep': '' };
  for (const s of sites) Object.assign(files, certFiles(s));
  // nginx reads RFC 2307 {SCHEME} entries: {SSHA} is salted SHA-1.
  for (const s of sites) if (s.login) files[`${s.name}.htpasswd`] = `${s.login.user}:${ssha(s.login.password)}\n`;
  return { files, argv: [BINARIES.nginx, '-p', `${d}/`, '-c', `${d}/nginx.conf`, '-e', `${d}/error.log`] };
}

// ---------------------------------------------------------------------------------------------
// HAProxy: one frontend per site, one backend per proxied route; `-db` keeps it in the foreground.

function haproxy(sites: readonly Site[], ctx: RenderContext): Rendered {
  const d = ctx.dir;
  const sections: string[] = [];
  for (const site of sites) {
    const id = site.name.replace(/\W/g, '_');
    const p = port(ctx, site.name);
    const fe: string[] = [`frontend fe_${id}`, `  bind 127.0.0.1:${p}${site.tls ? ` ssl crt ${d}/${site.name}.pem` : ''}`];
    if (site.login) {
      sections.push(`userlist ul_${id}\n  user ${site.login.user} insecure-password ${site.login.password}`);
      fe.push(`  http-request auth realm ${site.login.realm.replace(/\s/g, '_')} unless { http_auth(ul_${id}) }`);
    }
    if (site.redirectTo) {
      fe.push(`  http-request redirect prefix https://127.0.0.1:${port(ctx, site.redirectTo)} code 301`);
      sections.push(fe.join('\n'));
      continue;
    }
    if (site.sendTo) {
      fe.push(`  http-request redirect location "${site.sendTo}" code 302`);
      sections.push(fe.join('\n'));
      continue;
    }
    site.routes.forEach((r, i) => {
      // A request belongs to the first route that matches it, as in the other proxies.
      fe.push(`  acl r${i} ${r.exact ? 'path' : 'path_beg'} ${r.path}`);
      const acl = [`r${i}`, ...site.routes.slice(0, i).map((_, j) => `!r${j}`)].join(' ');
      if (r.refuseMethods) fe.push(`  http-request deny deny_status 403 if ${acl} { method ${r.refuseMethods.join(' ')} }`);
      if (r.maxBodyBytes !== undefined)
        fe.push(`  http-request deny deny_status 413 if ${acl} { req.hdr_val(content-length) gt ${r.maxBodyBytes} }`);
      if (r.rejectOverBytes !== undefined)
        fe.push(`  http-request reject if ${acl} { req.hdr_val(content-length) gt ${r.rejectOverBytes} }`);
      if (r.rateLimitStatus) {
        const table = `rl_${id}_${i}`;
        fe.push(
          `  http-request track-sc0 dst_port table ${table} if ${acl}`,
          `  http-request deny deny_status ${r.rateLimitStatus} if ${acl} { sc_http_req_cnt(0) gt 1 }`,
        );
        sections.push(`backend ${table}\n  stick-table type integer size 16 expire 60s store http_req_cnt`);
      }
      const a = r.action;
      if (a.kind === 'respond')
        fe.push(`  http-request return status ${a.status} content-type "${a.type}" string "${a.body.replace(/"/g, '\\"')}" if ${acl}`);
      else if (a.kind === 'not-found') fe.push(`  http-request deny deny_status 404 if ${acl}`);
      else if (a.kind === 'deny') fe.push(`  http-request deny deny_status 403 if ${acl}`);
      else if (a.kind === 'unavailable') {
        // A backend without servers: HAProxy's own 503 "No server is available".
        fe.push(`  use_backend be_${id}_${i} if ${acl}`);
        sections.push(`backend be_${id}_${i}`);
      } else {
        fe.push(`  use_backend be_${id}_${i} if ${acl}`);
        const be = [`backend be_${id}_${i}`];
        if (a.to !== undefined) {
          const from = strip(r.path).replace(/[.]/g, '\\.');
          be.push(`  http-request replace-path ^${from}/?(.*) ${strip(a.to)}/\\1`);
        }
        if (r.timeoutS !== undefined) be.push(`  timeout server ${r.timeoutS}s`);
        be.push(`  server up ${hostPort(a.upstream)}`);
        sections.push(be.join('\n'));
      }
    });
    // No route matched: HAProxy's own 404.
    fe.push(`  http-request deny deny_status 404 if ${site.routes.map((_, i) => `!r${i}`).join(' ') || 'TRUE'}`);
    sections.push(fe.join('\n'));
  }
  const cfg = `# private instance for hokus-check tests
global
  pidfile ${d}/haproxy.pid
  maxconn 256
defaults
  mode http
  retries 1
  timeout connect 1s
  timeout client 30s
  timeout server 30s

${sections.join('\n\n')}
`;
  const files: Record<string, string> = { 'haproxy.cfg': cfg };
  for (const s of sites) Object.assign(files, certFiles(s));
  return { files, argv: [BINARIES.haproxy, '-f', `${d}/haproxy.cfg`, '-db'] };
}

// ---------------------------------------------------------------------------------------------
// Apache httpd: its own ServerRoot and modules from Debian's /usr/lib/apache2/modules; one
// VirtualHost per site; `-X` runs one process in the foreground.

const APACHE_MODULES = [
  'mpm_event',
  'authz_core',
  'authz_host',
  'authz_user',
  'authn_core',
  'authn_file',
  'auth_basic',
  'alias',
  'mime',
  'dir',
  'headers',
  'rewrite',
  'proxy',
  'proxy_http',
  'ssl',
  'socache_shmcb',
];

function apache(sites: readonly Site[], ctx: RenderContext): Rendered {
  const d = ctx.dir;
  const files: Record<string, string> = { 'empty/.keep': '' };
  const hosts: string[] = [];
  const listens: string[] = [];
  for (const site of sites) {
    const p = port(ctx, site.name);
    listens.push(`Listen 127.0.0.1:${p}`);
    const v: string[] = [`<VirtualHost 127.0.0.1:${p}>`, `  DocumentRoot ${d}/empty`];
    if (site.tls) v.push('  SSLEngine on', `  SSLCertificateFile ${d}/${site.name}.crt`, `  SSLCertificateKeyFile ${d}/${site.name}.key`);
    if (site.redirectTo) {
      v.push(`  Redirect permanent / https://127.0.0.1:${port(ctx, site.redirectTo)}/`, '</VirtualHost>');
      hosts.push(v.join('\n'));
      continue;
    }
    if (site.sendTo) {
      // RedirectMatch with no group: the exact URL, not the URL plus the request's path.
      v.push(`  RedirectMatch 302 "^/" "${site.sendTo}"`, '</VirtualHost>');
      hosts.push(v.join('\n'));
      continue;
    }
    v.push('  RewriteEngine on', '  ProxyPass /__hokus_responses/ !');
    site.routes.forEach((r, i) => {
      const a = r.action;
      const match = r.exact ? `^${r.path.replace(/[.]/g, '\\.')}$` : `^${r.path.replace(/[.]/g, '\\.')}`;
      if (a.kind === 'proxy') {
        const timeout = r.timeoutS !== undefined ? ` timeout=${r.timeoutS}` : '';
        const target = `http://${hostPort(a.upstream)}${a.to ?? r.path}`;
        v.push(`  ProxyPass ${r.path} ${target}${timeout}`, `  ProxyPassReverse ${r.path} ${target}`);
      } else {
        v.push(`  ProxyPass ${r.path} !`);
      }
      const loc: string[] = [];
      // LimitRequestBody is not applied to reverse-proxied requests (a 4 KiB PUT passed a limit of
      // 1024 through ProxyPass, in a <Location> and server-wide): refuse by Content-Length instead.
      if (r.maxBodyBytes !== undefined)
        v.push(`  RewriteCond expr "%{HTTP:Content-Length} -gt ${r.maxBodyBytes}"`, `  RewriteRule ${match} - [R=413,L]`);
      if (r.refuseMethods) loc.push(`    <Limit ${r.refuseMethods.join(' ')}>`, '      Require all denied', '    </Limit>');
      if (a.kind === 'deny') loc.push('    Require all denied');
      if (a.kind === 'unavailable') v.push(`  RewriteRule ${match} - [R=503,L]`);
      if (a.kind === 'respond') {
        const file = `responses/r${hosts.length}_${i}${a.type.includes('json') ? '.json' : a.type.includes('html') ? '.html' : '.txt'}`;
        files[file] = a.body;
        if (a.status === 200) v.push(`  Alias ${r.path} ${d}/${file}`);
        else {
          v.push(`  Alias /__hokus_responses/ ${d}/responses/`);
          loc.push(`    ErrorDocument ${a.status} /__hokus_responses/${path.basename(file)}`);
          v.push(`  RewriteRule ${match} - [R=${a.status},L]`);
        }
      }
      if (loc.length > 0) v.push(`  <Location "${r.path}">`, ...loc, '  </Location>');
    });
    if (site.login) {
      files[`${site.name}.htpasswd`] = `${site.login.user}:{SHA}${createHash('sha1').update(site.login.password).digest('base64')}\n`;
      v.push(
        '  <Location "/">',
        '    AuthType Basic',
        `    AuthName "${site.login.realm}"`,
        `    AuthUserFile ${d}/${site.name}.htpasswd`,
        '    Require valid-user',
        '  </Location>',
      );
    }
    v.push('</VirtualHost>');
    hosts.push(v.join('\n'));
  }
  for (const s of sites) Object.assign(files, certFiles(s));
  const conf = `# private instance for hokus-check tests
ServerRoot ${d}
PidFile ${d}/httpd.pid
ServerName 127.0.0.1
${APACHE_MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
${ctx.root ? 'User nobody\nGroup nogroup' : ''}
ErrorLog ${d}/error.log
LogLevel warn
LogFormat "%h %r %>s" short
CustomLog ${d}/access.log short
TypesConfig /etc/mime.types
Mutex file:${d}
DefaultRuntimeDir ${d}
SSLSessionCache none
<Directory />
  Require all granted
</Directory>
${listens.join('\n')}
${hosts.join('\n\n')}
`;
  files['httpd.conf'] = conf;
  return {
    files,
    argv: [BINARIES.apache, '-X', '-d', d, '-f', `${d}/httpd.conf`],
    env: { APACHE_RUN_DIR: d, APACHE_LOCK_DIR: d, APACHE_PID_FILE: `${d}/httpd.pid` },
  };
}

// ---------------------------------------------------------------------------------------------
// Caddy: a Caddyfile with the admin endpoint off and automatic HTTPS off; its data and config
// directories are the test's own (XDG_*), never the user's.

function caddy(sites: readonly Site[], ctx: RenderContext): Rendered {
  const d = ctx.dir;
  const blocks = sites.map((site) => {
    const p = port(ctx, site.name);
    const addr = `${site.tls ? 'https' : 'http'}://127.0.0.1:${p}`;
    const b: string[] = [`${addr} {`];
    if (site.tls) b.push(`  tls ${d}/${site.name}.crt ${d}/${site.name}.key`);
    // basicauth runs before handle in Caddy's directive order: every path asks for the login.
    if (site.login)
      b.push(`  basicauth * bcrypt "${site.login.realm}" {`, `    ${site.login.user} ${bcryptOf(site.login.password)}`, '  }');
    if (site.redirectTo) {
      b.push(`  redir https://127.0.0.1:${port(ctx, site.redirectTo)}{uri} 301`, '}');
      return b.join('\n');
    }
    if (site.sendTo) {
      b.push(`  redir "${site.sendTo}" 302`, '}');
      return b.join('\n');
    }
    site.routes.forEach((r, i) => {
      const matcher = r.exact ? r.path : `${r.path}*`;
      const h: string[] = [];
      if (r.refuseMethods) h.push(`    @refused${i} method ${r.refuseMethods.join(' ')}`, `    respond @refused${i} 405`);
      if (r.maxBodyBytes !== undefined) h.push(`    request_body {\n      max_size ${r.maxBodyBytes}B\n    }`);
      const a = r.action;
      if (a.kind === 'proxy') {
        if (a.to !== undefined) h.push(`    uri path_regexp ^${r.path.replace(/[.]/g, '\\.')} ${a.to}`);
        const timeout =
          r.timeoutS !== undefined ? ` {\n      transport http {\n        response_header_timeout ${r.timeoutS}s\n      }\n    }` : '';
        h.push(`    reverse_proxy ${hostPort(a.upstream)}${timeout}`);
      } else if (a.kind === 'respond') {
        h.push(`    header Content-Type "${a.type}"`, `    respond \`${a.body}\` ${a.status}`);
      } else if (a.kind === 'deny') {
        h.push('    respond 403');
      } else if (a.kind === 'unavailable') {
        h.push('    respond 503');
      } else {
        h.push(`    root * ${d}/empty`, '    file_server');
      }
      b.push(`  handle ${matcher} {`, ...h, '  }');
    });
    // No route matched: Caddy's file server over an empty root gives its own 404.
    b.push('  handle {', `    root * ${d}/empty`, '    file_server', '  }', '}');
    return b.join('\n');
  });
  const conf = `# private instance for hokus-check tests
{
  admin off
  auto_https off
  # Clients that connect to 127.0.0.1 send no SNI: serve the site's certificate anyway.
  default_sni 127.0.0.1
  storage file_system ${d}/data
  log {
    output file ${d}/caddy.log
    level WARN
  }
}

${blocks.join('\n\n')}
`;
  return {
    files: { Caddyfile: conf, 'empty/.keep': '', ...Object.fromEntries(sites.flatMap((s) => Object.entries(certFiles(s)))) },
    argv: [BINARIES.caddy, 'run', '--config', `${d}/Caddyfile`, '--adapter', 'caddyfile'],
    env: { XDG_DATA_HOME: `${d}/data`, XDG_CONFIG_HOME: `${d}/config`, HOME: d },
  };
}

/** RFC 2307 salted SHA-1 ({SSHA}), as nginx's auth_basic_user_file reads it. */
function ssha(password: string): string {
  const salt = createHash('sha1').update(`hokus-salt-${password}`).digest().subarray(0, 4);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

/**
 * Caddy's basicauth wants a bcrypt hash, which Node does not compute: `caddy hash-password` made this
 * one for the only password the tests give a login wall (LOGIN_PASSWORD).
 */
export const LOGIN_PASSWORD = 'hokus-login-wall';
const LOGIN_BCRYPT = '$2a$14$FdqNao8joiL6EM67LjaohOWFv1FJyh/Ra7vzmQMb2X9CYEcrUBpl2';

function bcryptOf(password: string): string {
  if (password !== LOGIN_PASSWORD)
    throw new Error(`no bcrypt hash for that password: use LOGIN_PASSWORD (run \`caddy hash-password --plaintext …\` for another)`);
  return LOGIN_BCRYPT;
}
