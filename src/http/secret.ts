// The API key as a value that cannot leak by accident: every way of printing it (template string,
// JSON.stringify, console.log / util.inspect) yields the masked form. Only `.value` gives the key.
import { inspect } from 'node:util';

export class ApiKey {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real key: only for the Authorization header and the redactor. */
  get value(): string {
    return this.#value;
  }

  /** 'hk_test_…abcd': the known prefix (or first 3 chars) and the last 4. */
  masked(): string {
    return maskSecret(this.#value);
  }

  toString(): string {
    return this.masked();
  }

  toJSON(): string {
    return this.masked();
  }

  [inspect.custom](): string {
    return `ApiKey(${this.masked()})`;
  }
}

const KNOWN_PREFIXES = ['hk_test_', 'hk_live_'];

/**
 * Masks a secret for display. A value too short for prefix + last 4 to hide most of it becomes
 * '<redacted>'.
 */
export function maskSecret(value: string): string {
  const prefix = secretPrefix(value) || value.slice(0, 3);
  if (value.length < prefix.length + 12) return '<redacted>';
  return `${prefix}…${value.slice(-4)}`;
}

/** The key's public prefix ('hk_test_', 'hk_live_'), '' for any other secret. */
export function secretPrefix(value: string): string {
  return KNOWN_PREFIXES.find((p) => value.startsWith(p)) ?? '';
}

/**
 * HTTP Basic credentials (MLflow's MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD): the user
 * name is shown, the password never — every way of printing it yields `alice:<redacted>`. Only
 * `header()` and `secrets()` (for the Authorization header and the redactor) hold the password.
 */
export class BasicCredentials {
  readonly username: string;
  readonly #password: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
  }

  /** `Basic base64(user:password)`, as MLflow's client writes it (UTF-8, standard base64). */
  header(): string {
    return `Basic ${this.#token()}`;
  }

  /**
   * What the redactor and the key boundary look for: the password, and the header's base64 token
   * (the password inside it is found at any byte offset too), each masked whole: no character of a
   * password is shown.
   */
  secrets(): Array<{ value: string; mask: string }> {
    return [
      { value: this.#password, mask: REDACTED },
      { value: this.#token(), mask: REDACTED },
    ];
  }

  masked(): string {
    return `${this.username}:${REDACTED}`;
  }

  toString(): string {
    return this.masked();
  }

  toJSON(): string {
    return this.masked();
  }

  [inspect.custom](): string {
    return `BasicCredentials(${this.masked()})`;
  }

  #token(): string {
    return Buffer.from(`${this.username}:${this.#password}`, 'utf8').toString('base64');
  }
}

const REDACTED = '<redacted>';
