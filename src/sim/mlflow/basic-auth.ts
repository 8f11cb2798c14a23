// MLflow's authentication app (`mlflow server --app-name basic-auth`; mlflow/server/auth/__init__.py
// at v2.12.2, default basic_auth.ini), answering as recorded in
// test/fixtures/mlflow-2.12.2-basic-auth (its README tabulates every refusal; routes.tsv the check
// of every route):
//
// - before_request: /health, /static…, /favicon.ico skip the login; everything else needs HTTP Basic
//   (Werkzeug's parsing: any case of "basic"; a Bearer token is no login) — else 401 with
//   `WWW-Authenticate: Basic realm="mlflow"` and a fixed sentence as text/html, before routing (an
//   unknown path is 401 too). Admins skip every permission check; for anyone else the route's check
//   runs (a user without a permission row has default_permission, READ) and a refusal is the plain
//   text 403 "Permission denied". A check's own errors (a run or experiment name it cannot find, a
//   parameter it needs) are MLflow's JSON errors; a body it cannot read as JSON, Werkzeug's HTML 400.
// - after_request (2xx only): the creator of an experiment or registered model gets MANAGE on it;
//   deleting a model deletes the caller's permission row (404 when there is none, the model gone all
//   the same); experiments/search and registered-models/search leave out what a non-admin cannot read.
// - its own REST API: users (create, get, update-password, update-admin, delete) and the permissions of
//   experiments and registered models (create, get, update, delete), compact sorted JSON with a newline
//   (Flask's jsonify).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { pyJsonDumps } from '../http/pyjson.js';
import { cachedBody } from './request-message.js';
import type { MlflowStore } from './store.js';
import { MlflowError, errorJson, gunicornHeaders, sendBody, sendFlaskPage, sendMlflowError, writeHead } from './wire.js';

export type Permission = 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS';

export interface BasicAuthOptions {
  /** basic_auth.ini's admin (MLflow 2.12.2's ini: admin / password). */
  admin?: { username: string; password: string };
  /** More users at start; not admins unless said so. */
  users?: Array<{ username: string; password: string; admin?: boolean }>;
  /** basic_auth.ini's default_permission (READ). */
  defaultPermission?: Permission;
}

/** The 401's body (transcript 2–34, byte-identical in all of them). */
export const NOT_AUTHENTICATED =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';

const PERMISSIONS: Readonly<Record<Permission, { read: boolean; update: boolean; delete: boolean; manage: boolean }>> = {
  READ: { read: true, update: false, delete: false, manage: false },
  EDIT: { read: true, update: true, delete: false, manage: false },
  MANAGE: { read: true, update: true, delete: true, manage: true },
  NO_PERMISSIONS: { read: false, update: false, delete: false, manage: false },
};

type Ability = 'read' | 'update' | 'delete' | 'manage';

interface User {
  id: number;
  username: string;
  password: string;
  admin: boolean;
}

/** What before_request decided: it answered itself, or the request goes on (as `user`; none on an unprotected path). */
export type Gate = { answered: true } | { answered: false; user?: string };

export interface AuthRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  pathname: string;
  query: URLSearchParams;
}

/** Werkzeug could not read the body as JSON: its HTML 400. */
class BadRequest extends Error {}

export class BasicAuthApp {
  readonly users = new Map<string, User>();
  /** experiment id → user name → permission. */
  readonly experimentPermissions = new Map<string, Map<string, Permission>>();
  /** registered model name → user name → permission. */
  readonly modelPermissions = new Map<string, Map<string, Permission>>();
  readonly defaultPermission: Permission;
  #nextId = 1;

  constructor(
    opts: BasicAuthOptions,
    private readonly store: MlflowStore,
  ) {
    this.defaultPermission = opts.defaultPermission ?? 'READ';
    const admin = opts.admin ?? { username: 'admin', password: 'password' };
    this.addUser(admin.username, admin.password, true);
    for (const u of opts.users ?? []) this.addUser(u.username, u.password, u.admin === true);
  }

  addUser(username: string, password: string, admin = false): User {
    const user = { id: this.#nextId++, username, password, admin };
    this.users.set(username, user);
    return user;
  }

  /** A permission row, as experiments/permissions/create (or update) makes it. */
  grantExperiment(experimentId: string, username: string, permission: Permission): void {
    rows(this.experimentPermissions, experimentId).set(username, permission);
  }

  grantModel(name: string, username: string, permission: Permission): void {
    rows(this.modelPermissions, name).set(username, permission);
  }

  /** before_request: the login, then (not for admins) the route's permission check. */
  async before(r: AuthRequest): Promise<Gate> {
    if (/^\/(static|favicon\.ico|health)/.test(r.pathname)) return { answered: false };
    const user = this.#login(r.req.headers.authorization);
    if (!user) {
      await writeHead(r.res, 401, [
        'Content-Type',
        'text/html; charset=utf-8',
        'Content-Length',
        String(Buffer.byteLength(NOT_AUTHENTICATED)),
        'WWW-Authenticate',
        'Basic realm="mlflow"',
      ]);
      r.res.end(NOT_AUTHENTICATED);
      return { answered: true };
    }
    if (user.admin) return { answered: false, user: user.username };
    try {
      const allowed = await this.#check(r, user);
      if (allowed === false) {
        await sendBody(r.res, 403, 'text/html; charset=utf-8', 'Permission denied');
        return { answered: true };
      }
    } catch (err) {
      await this.#fail(r.res, err);
      return { answered: true };
    }
    return { answered: false, user: user.username };
  }

  /** The auth app's own routes (users, permissions); true when it answered. */
  async ownRoute(r: AuthRequest, username: string): Promise<boolean> {
    const route = apiRoute(r.pathname);
    const handler = route === undefined ? undefined : this.#own[`${r.req.method} ${route}`];
    if (!handler) return false;
    try {
      await handler(r, username);
    } catch (err) {
      await this.#fail(r.res, err);
    }
    return true;
  }

  /** after_request's hooks for this request: run on a 2xx answer before it is written. */
  async afterRequest(r: AuthRequest, username: string): Promise<void> {
    const route = apiRoute(r.pathname);
    const method = r.req.method ?? 'GET';
    const user = this.users.get(username);
    if (route === undefined || !user) return;
    if (route === 'experiments/create' && method === 'POST')
      onSuccess(r.res, (body) => {
        const id = parseJson(body)?.experiment_id;
        if (typeof id === 'string') this.grantExperiment(id, username, 'MANAGE');
        return undefined;
      });
    else if (route === 'registered-models/create' && method === 'POST')
      onSuccess(r.res, (body) => {
        const name = (parseJson(body)?.registered_model as { name?: unknown } | undefined)?.name;
        if (typeof name === 'string') this.grantModel(name, username, 'MANAGE');
        return undefined;
      });
    else if (route === 'registered-models/delete' && method === 'DELETE') {
      // The caller's row of the model goes with it (404 when there is none; the model is gone all the same).
      const name = await this.#param(r, 'name').catch(() => undefined);
      onSuccess(r.res, () => {
        if (name === undefined || this.modelPermissions.get(name)?.delete(username)) return undefined;
        return new MlflowError(
          'RESOURCE_DOES_NOT_EXIST',
          `Registered model permission with name=${name} and username=${username} not found`,
        );
      });
    } else if (!user.admin && route === 'experiments/search')
      onSuccess(r.res, (body) =>
        this.#filtered(body, 'experiments', (e) => this.#can(this.experimentPermissions, String(e.experiment_id), username, 'read')),
      );
    else if (!user.admin && route === 'registered-models/search')
      onSuccess(r.res, (body) =>
        this.#filtered(body, 'registered_models', (m) => this.#can(this.modelPermissions, String(m.name), username, 'read')),
      );
  }

  #login(header: string | undefined): User | undefined {
    const m = /^\s*(\S+)\s+(\S.*)$/.exec(header ?? '');
    if (!m || m[1]!.toLowerCase() !== 'basic') return undefined;
    const decoded = Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = this.users.get(decoded.slice(0, colon));
    return user && user.password === decoded.slice(colon + 1) ? user : undefined;
  }

  /** The route's permission check for a non-admin (routes.tsv); true, false, or no check (undefined). */
  async #check(r: AuthRequest, user: User): Promise<boolean | undefined> {
    const artifact = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(r.pathname)?.[1];
    if (artifact !== undefined) {
      const ability: Ability | undefined = ({ GET: 'read', PUT: 'update', DELETE: 'delete' } as const)[r.req.method as 'GET'];
      if (ability === undefined) return undefined;
      const experiment = /^(\d+)\//.exec(artifact)?.[1];
      return experiment === undefined
        ? PERMISSIONS[this.defaultPermission][ability]
        : this.#can(this.experimentPermissions, experiment, user.username, ability);
    }
    if (r.pathname === '/signup' && r.req.method === 'GET') return false;
    const route = apiRoute(r.pathname);
    const check = route === undefined ? undefined : CHECKS[`${r.req.method} ${route}`];
    if (!check) return undefined;
    const [kind, ability] = check;
    switch (kind) {
      case 'experiment':
        return this.#can(this.experimentPermissions, await this.#required(r, 'experiment_id'), user.username, ability);
      case 'experiment-name': {
        const name = await this.#required(r, 'experiment_name');
        const experiment = this.store.getExperimentByName(name);
        if (!experiment) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name ${name}`);
        return this.#can(this.experimentPermissions, experiment.id, user.username, ability);
      }
      case 'run': {
        const runId = (await this.#param(r, 'run_id')) ?? (await this.#required(r, 'run_uuid'));
        return this.#can(this.experimentPermissions, this.store.getRun(runId).experimentId, user.username, ability);
      }
      case 'model':
        return this.#can(this.modelPermissions, await this.#required(r, 'name'), user.username, ability);
      case 'self':
        return (await this.#required(r, 'username')) === user.username;
      case 'admin':
        return false;
    }
  }

  #can(table: Map<string, Map<string, Permission>>, key: string, username: string, ability: Ability): boolean {
    return PERMISSIONS[table.get(key)?.get(username) ?? this.defaultPermission][ability];
  }

  /** _get_request_param: the query of a GET, the JSON body of POST/PATCH/DELETE (Werkzeug's 400 when it is not JSON). */
  async #param(r: AuthRequest, name: string): Promise<string | undefined> {
    if (r.req.method === 'GET') return r.query.get(name) ?? undefined;
    if ((r.req.headers['content-type'] ?? '').split(';')[0]!.trim() !== 'application/json') throw new BadRequest();
    let json: unknown;
    try {
      json = JSON.parse((await cachedBody(r.req)).toString('utf8'));
    } catch {
      throw new BadRequest();
    }
    const value = json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined;
    // MLflow reads what the JSON holds; an id may come as a number.
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }

  async #required(r: AuthRequest, name: string): Promise<string> {
    const value = await this.#param(r, name);
    if (value === undefined)
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
      );
    return value;
  }

  async #fail(res: http.ServerResponse, err: unknown): Promise<void> {
    if (err instanceof MlflowError) await sendMlflowError(res, err);
    else if (err instanceof BadRequest) await sendFlaskPage(res, 400);
    else throw err;
  }

  #filtered(body: string, field: string, readable: (item: Record<string, unknown>) => boolean): string | undefined {
    const json = parseJson(body);
    const items = json?.[field];
    if (!json || !Array.isArray(items)) return undefined;
    const kept = (items as Array<Record<string, unknown>>).filter(readable);
    if (kept.length === items.length) return undefined;
    return pyJsonDumps({ ...json, [field]: kept.length > 0 ? kept : undefined }, { indent: 2 });
  }

  // --- the auth app's own REST API ---------------------------------------------------------------------

  readonly #own: Record<string, (r: AuthRequest, username: string) => Promise<void>> = {
    'POST users/create': async (r) => {
      if ((r.req.headers['content-type'] ?? '').split(';')[0]!.trim() !== 'application/json') {
        await sendBody(
          r.res,
          400,
          'text/html; charset=utf-8',
          'Invalid content type. Must be one of: application/x-www-form-urlencoded, application/json',
        );
        return;
      }
      const username = (await this.#param(r, 'username')) ?? '';
      const password = await this.#required(r, 'password');
      if (username === '') throw new MlflowError('INVALID_PARAMETER_VALUE', 'Username cannot be empty.');
      if (this.users.has(username))
        throw new MlflowError(
          'RESOURCE_ALREADY_EXISTS',
          `User (username=${username}) already exists. Error: ${integrity('users.username', 'INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?)', `('${username}', '${fakeHash()}', 0)`)}`,
        );
      await jsonify(r.res, { user: this.#userJson(this.addUser(username, password)) });
    },
    'GET users/get': async (r) => {
      const user = this.#user(await this.#required(r, 'username'));
      await jsonify(r.res, { user: this.#userJson(user) });
    },
    'PATCH users/update-password': async (r) => {
      const user = this.#user(await this.#required(r, 'username'));
      user.password = await this.#required(r, 'password');
      await jsonify(r.res, {});
    },
    'PATCH users/update-admin': async (r) => {
      const user = this.#user(await this.#required(r, 'username'));
      user.admin = /^(true|1)$/i.test(await this.#required(r, 'is_admin'));
      await jsonify(r.res, {});
    },
    'DELETE users/delete': async (r) => {
      const user = this.#user(await this.#required(r, 'username'));
      const held = [...this.experimentPermissions.values(), ...this.modelPermissions.values()].some((t) => t.has(user.username));
      if (held)
        throw new MlflowError(
          'BAD_REQUEST',
          '(sqlite3.IntegrityError) NOT NULL constraint failed: experiment_permissions.user_id\n[SQL: UPDATE experiment_permissions SET user_id=? WHERE experiment_permissions.id = ?]\n[parameters: (None, 1)]\n(Background on this error at: https://sqlalche.me/e/14/gkpj)',
        );
      this.users.delete(user.username);
      await jsonify(r.res, {});
    },
    ...this.#permissionRoutes('experiments', 'experiment_id', 'experiment_permission', () => this.experimentPermissions, 'Experiment'),
    ...this.#permissionRoutes('registered-models', 'name', 'registered_model_permission', () => this.modelPermissions, 'Registered model'),
  };

  #permissionRoutes(
    prefix: string,
    key: string,
    field: string,
    table: () => Map<string, Map<string, Permission>>,
    words: string,
  ): Record<string, (r: AuthRequest) => Promise<void>> {
    const rowJson = (id: string, username: string, permission: Permission) => ({ [key]: id, permission, user_id: this.#user(username).id });
    const args = async (r: AuthRequest) => [await this.#required(r, key), await this.#required(r, 'username')] as const;
    const missing = (id: string, username: string) =>
      new MlflowError('RESOURCE_DOES_NOT_EXIST', `${words} permission with ${key}=${id} and username=${username} not found`);
    return {
      [`POST ${prefix}/permissions/create`]: async (r) => {
        const [id, username] = await args(r);
        const permission = validPermission(await this.#required(r, 'permission'));
        this.#user(username);
        if (table().get(id)?.has(username))
          throw new MlflowError(
            'RESOURCE_ALREADY_EXISTS',
            `${words} permission (${key}=${id}, username=${username}) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed`,
          );
        rows(table(), id).set(username, permission);
        await jsonify(r.res, { [field]: rowJson(id, username, permission) });
      },
      [`GET ${prefix}/permissions/get`]: async (r) => {
        const [id, username] = await args(r);
        this.#user(username);
        const permission = table().get(id)?.get(username);
        if (permission === undefined) throw missing(id, username);
        await jsonify(r.res, { [field]: rowJson(id, username, permission) });
      },
      [`PATCH ${prefix}/permissions/update`]: async (r) => {
        const [id, username] = await args(r);
        const permission = validPermission(await this.#required(r, 'permission'));
        this.#user(username);
        if (!table().get(id)?.has(username)) throw missing(id, username);
        rows(table(), id).set(username, permission);
        await jsonify(r.res, {});
      },
      [`DELETE ${prefix}/permissions/delete`]: async (r) => {
        const [id, username] = await args(r);
        this.#user(username);
        if (!table().get(id)?.delete(username)) throw missing(id, username);
        await jsonify(r.res, {});
      },
    };
  }

  #user(username: string): User {
    const user = this.users.get(username);
    if (!user) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `User with username=${username} not found`);
    return user;
  }

  #userJson(user: User): Record<string, unknown> {
    const held = (table: Map<string, Map<string, Permission>>, key: string) =>
      [...table].flatMap(([id, byUser]) => {
        const permission = byUser.get(user.username);
        return permission === undefined ? [] : [{ [key]: id, permission, user_id: user.id }];
      });
    return {
      experiment_permissions: held(this.experimentPermissions, 'experiment_id'),
      id: user.id,
      is_admin: user.admin,
      registered_model_permissions: held(this.modelPermissions, 'name'),
      username: user.username,
    };
  }
}

/** The route's check for a non-admin: what it names, and what that needs (routes.tsv). */
const CHECKS: Readonly<Record<string, readonly ['experiment' | 'experiment-name' | 'run' | 'model' | 'self' | 'admin', Ability]>> = {
  'GET experiments/get': ['experiment', 'read'],
  'GET experiments/get-by-name': ['experiment-name', 'read'],
  'POST experiments/delete': ['experiment', 'delete'],
  'POST experiments/restore': ['experiment', 'delete'],
  'POST experiments/update': ['experiment', 'update'],
  'POST experiments/set-experiment-tag': ['experiment', 'update'],
  'POST runs/create': ['experiment', 'update'],
  'GET runs/get': ['run', 'read'],
  'POST runs/delete': ['run', 'delete'],
  'POST runs/restore': ['run', 'delete'],
  'POST runs/update': ['run', 'update'],
  'POST runs/log-metric': ['run', 'update'],
  'POST runs/log-parameter': ['run', 'update'],
  'POST runs/log-batch': ['run', 'update'],
  'POST runs/log-model': ['run', 'update'],
  'POST runs/set-tag': ['run', 'update'],
  'POST runs/delete-tag': ['run', 'update'],
  'GET metrics/get-history': ['run', 'read'],
  'GET artifacts/list': ['run', 'read'],
  'GET registered-models/get': ['model', 'read'],
  'GET registered-models/get-latest-versions': ['model', 'read'],
  'POST registered-models/get-latest-versions': ['model', 'read'],
  'DELETE registered-models/delete': ['model', 'delete'],
  'PATCH registered-models/update': ['model', 'update'],
  'POST registered-models/rename': ['model', 'update'],
  'POST registered-models/set-tag': ['model', 'update'],
  'DELETE registered-models/delete-tag': ['model', 'update'],
  'GET registered-models/alias': ['model', 'read'],
  'POST registered-models/alias': ['model', 'update'],
  'DELETE registered-models/alias': ['model', 'delete'],
  'POST model-versions/create': ['model', 'update'],
  'GET model-versions/get': ['model', 'read'],
  'GET model-versions/get-download-uri': ['model', 'read'],
  'PATCH model-versions/update': ['model', 'update'],
  'POST model-versions/transition-stage': ['model', 'update'],
  'POST model-versions/set-tag': ['model', 'update'],
  'DELETE model-versions/delete': ['model', 'delete'],
  'DELETE model-versions/delete-tag': ['model', 'delete'],
  'POST experiments/permissions/create': ['experiment', 'manage'],
  'GET experiments/permissions/get': ['experiment', 'manage'],
  'PATCH experiments/permissions/update': ['experiment', 'manage'],
  'DELETE experiments/permissions/delete': ['experiment', 'manage'],
  'POST registered-models/permissions/create': ['model', 'manage'],
  'GET registered-models/permissions/get': ['model', 'manage'],
  'PATCH registered-models/permissions/update': ['model', 'manage'],
  'DELETE registered-models/permissions/delete': ['model', 'manage'],
  'GET users/get': ['self', 'read'],
  'PATCH users/update-password': ['self', 'update'],
  'POST users/create': ['admin', 'manage'],
  'PATCH users/update-admin': ['admin', 'manage'],
  'DELETE users/delete': ['admin', 'manage'],
};

/** 'runs/create' of /api/2.0/mlflow/runs/create and of its /ajax-api/2.0/ mirror. */
function apiRoute(pathname: string): string | undefined {
  return /^\/(?:ajax-)?api\/2\.0\/mlflow\/(.+)$/.exec(pathname)?.[1];
}

function rows<K>(table: Map<K, Map<string, Permission>>, key: K): Map<string, Permission> {
  let byUser = table.get(key);
  if (!byUser) table.set(key, (byUser = new Map<string, Permission>()));
  return byUser;
}

function validPermission(name: string): Permission {
  if (name in PERMISSIONS) return name as Permission;
  throw new MlflowError(
    'INVALID_PARAMETER_VALUE',
    `Invalid permission '${name}'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')`,
  );
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** SQLAlchemy's words for a unique constraint, as the store's message carries them. */
function integrity(column: string, sql: string, parameters: string): string {
  return `(sqlite3.IntegrityError) UNIQUE constraint failed: ${column}\n[SQL: ${sql}]\n[parameters: ${parameters}]\n(Background on this error at: https://sqlalche.me/e/14/gkpj)`;
}

/** A password hash of MLflow's shape (pbkdf2:sha256), random: the simulator never shows a hash of a real password. */
function fakeHash(): string {
  return `pbkdf2:sha256:260000$${randomBytes(8).toString('hex')}$${randomBytes(32).toString('hex')}`;
}

/** Flask's jsonify: compact, keys sorted, a trailing newline. */
async function jsonify(res: http.ServerResponse, value: Record<string, unknown>): Promise<void> {
  await sendBody(res, 200, 'application/json', `${pyJsonDumps(sorted(value), { separators: [',', ':'] })}\n`);
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

/**
 * An after_request hook: runs on a 2xx answer of the handler before it is written, and may replace its
 * body (a filtered search) or the whole answer (an MlflowException of the hook). The handler writes
 * its answer with writeHead + end (wire.ts sendBody), which this holds back until the hook ran.
 */
function onSuccess(res: http.ServerResponse, hook: (body: string) => string | MlflowError | undefined): void {
  const realWriteHead = res.writeHead.bind(res);
  const realEnd = res.end.bind(res);
  let held: { status: number; headers: string[] } | undefined;
  res.writeHead = ((status: number, headers: string[]) => {
    held = { status, headers };
    return res;
  }) as unknown as typeof res.writeHead;
  res.end = ((chunk?: unknown) => {
    res.writeHead = realWriteHead;
    res.end = realEnd;
    if (!held) return realEnd(chunk as string);
    const body = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : '';
    const out = held.status >= 200 && held.status < 300 ? hook(body) : undefined;
    if (out instanceof MlflowError) {
      const text = errorJson(out.errorCode, out.message);
      res.statusMessage = (http.STATUS_CODES[out.status] ?? 'UNKNOWN').toUpperCase();
      realWriteHead(out.status, [
        ...gunicornHeaders(),
        'Content-Type',
        'application/json',
        'Content-Length',
        String(Buffer.byteLength(text)),
      ]);
      return realEnd(text);
    }
    if (out === undefined) {
      realWriteHead(held.status, held.headers);
      return realEnd(chunk as string);
    }
    const headers = [...held.headers];
    const at = headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-length');
    if (at >= 0) headers[at + 1] = String(Buffer.byteLength(out));
    realWriteHead(held.status, headers);
    return realEnd(out);
  }) as typeof res.end;
}
