// A Node gateway as Node shops build one: an express app per site with http-proxy-middleware, run as
// its own process by test/helpers/real-proxy.ts (`node node-gateway.mjs sites.json`) for the
// real-proxy matrix. Every answer it writes itself is the libraries' own: express's 404 ("Cannot GET
// /path"), body-parser's 413, http-proxy-middleware's error answers (504 "Error occurred while trying
// to proxy" for a refused or timed-out upstream). The site and route shapes are
// test/helpers/real-proxy-configs.ts's.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const { sites, ports, dir } = JSON.parse(readFileSync(process.argv[2], 'utf8'));

for (const site of sites) {
  const app = express();
  if (site.login) app.use(basicAuth(site.login));
  if (site.redirectTo) app.use((req, res) => res.redirect(301, `https://127.0.0.1:${ports[site.redirectTo]}${req.originalUrl}`));
  if (site.sendTo) app.use((_req, res) => res.redirect(302, site.sendTo));
  // A request belongs to the first route that matches it, as in the other proxies; a 'not-found'
  // route handles nothing, so express answers its own 404.
  const matches = (route, req) => (route.exact ? req.path === route.path : req.path.startsWith(route.path));
  app.use((req, _res, next) => {
    req.siteRoute = site.routes.find((r) => matches(r, req));
    next();
  });
  for (const route of site.routes) {
    const match = route.path;
    const mine = (req) => req.siteRoute === route;
    const router = express.Router();
    if (route.refuseMethods)
      router.use((req, res, next) =>
        route.refuseMethods.includes(req.method) ? res.status(405).set('allow', 'GET, POST').send('Method Not Allowed') : next(),
      );
    if (route.maxBodyBytes !== undefined) router.use(express.raw({ type: () => true, limit: route.maxBodyBytes }));
    if (route.rejectOverBytes !== undefined)
      router.use((req, _res, next) => (Number(req.headers['content-length'] ?? 0) > route.rejectOverBytes ? req.socket.destroy() : next()));
    const a = route.action;
    if (a.kind === 'proxy') {
      router.use(
        createProxyMiddleware({
          target: a.upstream,
          changeOrigin: true,
          ...(route.timeoutS !== undefined ? { proxyTimeout: route.timeoutS * 1000 } : {}),
          ...(a.to !== undefined ? { pathRewrite: (p) => `${a.to.replace(/\/$/, '')}/${p.slice(match.length)}` } : {}),
          on: {
            // A body read by express.raw (the size limit) is sent on as it came.
            proxyReq: (proxyReq, req) => {
              if (Buffer.isBuffer(req.body)) {
                proxyReq.setHeader('content-length', req.body.length);
                proxyReq.write(req.body);
              }
            },
          },
        }),
      );
    } else if (a.kind === 'respond') router.use((_req, res) => res.status(a.status).type(a.type).send(a.body));
    else if (a.kind === 'deny') router.use((_req, res) => res.sendStatus(403));
    else if (a.kind === 'unavailable') router.use((_req, res) => res.sendStatus(503));
    // 'not-found': nothing here, so express answers its own 404.
    app.use((req, res, next) => (mine(req) ? router(req, res, next) : next()));
  }
  const server = site.tls
    ? https.createServer({ key: readFileSync(`${dir}/${site.name}.key`), cert: readFileSync(`${dir}/${site.name}.crt`) }, app)
    : http.createServer(app);
  server.listen(ports[site.name], '127.0.0.1');
}

function basicAuth(login) {
  const expected = `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;
  return (req, res, next) =>
    req.headers.authorization === expected
      ? next()
      : res.status(401).set('www-authenticate', `Basic realm="${login.realm}"`).send('Unauthorized');
}

process.on('SIGTERM', () => process.exit(0));
