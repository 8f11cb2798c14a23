import { describe, expect, it } from 'vitest';
import { backendFixes } from '../../../src/diagnosis/rules/mlflow.js';

// Messages as psycopg2, SQLAlchemy and SQLite word them (the platform's own outages: a database password that was wrong, and one its tasks could not read).
const PASSWORD =
  '(psycopg2.OperationalError) connection to server at "mlflow-db.internal" (10.0.3.7), port 5432 failed: FATAL:  password authentication failed for user "mlflow"';
const REFUSED = '(psycopg2.OperationalError) connection to server at "mlflow-db.internal" (10.0.3.7), port 5432 failed: Connection refused';
const LOCKED = '(sqlite3.OperationalError) database is locked';
const NO_TABLE = '(sqlite3.OperationalError) no such table: experiments';
const NO_DB = '(psycopg2.OperationalError) connection to server at "db", port 5432 failed: FATAL:  database "mlflow_db" does not exist';

describe('MLFLOW_BACKEND_ERROR fixes follow the error', () => {
  it('a password failure: the credentials of the user named, first; nothing about reachability', () => {
    const fixes = backendFixes('password authentication failed', PASSWORD);
    expect(fixes[0]).toContain('password of user "mlflow"');
    expect(fixes.join(' ')).not.toMatch(/security group/);
  });

  it('a refused connection: the host and port quoted, reachability first', () => {
    const fixes = backendFixes('OperationalError', REFUSED);
    expect(fixes[0]).toBe(
      "Check that mlflow-db.internal:5432 is up and reachable from MLflow's tasks (security group, DNS name in --backend-store-uri).",
    );
  });

  it('a locked SQLite file: one writer, not the network', () => {
    const fixes = backendFixes('database is locked', LOCKED);
    expect(fixes[0]).toMatch(/SQLite backend store is locked/);
    expect(fixes.join(' ')).not.toMatch(/security group|password/);
  });

  it('missing tables: the migration first', () => {
    expect(backendFixes('no such table: experiments', NO_TABLE)[0]).toMatch(/^Run `mlflow db upgrade/);
  });

  it('a missing database: its name and the host', () => {
    expect(backendFixes('database "mlflow_db" does not exist', NO_DB)[0]).toMatch(
      /^The database "mlflow_db" in --backend-store-uri does not exist on db:5432/,
    );
  });

  it('a driver name and nothing else: says it cannot tell, then the usual suspects', () => {
    const fixes = backendFixes('sqlalchemy', 'sqlalchemy.exc.InterfaceError');
    expect(fixes[0]).toMatch(/^The error does not say which: /);
    expect(fixes).toHaveLength(3);
  });
});
