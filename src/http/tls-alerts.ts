// TLS alerts a server sent on a connection. With TLS 1.3 the client finishes its side of the handshake
// before the server has checked the client's certificate, so the server's refusal (certificate_required,
// unknown_ca, …) arrives on the first read, after the request went out — and undici then fails the
// request with its own "other side closed", because the socket's end outruns the alert's error. Each
// new socket keeps the first alert it got (alertRecordingConnector), and the client classifies a try
// that failed on such a socket by the alert (client.ts), not as a reset.
import type { buildConnector } from 'undici';

const alerts = new WeakMap<object, Error>();

/** Wraps a connector so that every socket it makes records the first TLS alert it receives. */
export function alertRecordingConnector(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...args) => {
      const [err, socket] = args;
      if (!err && socket) {
        socket.on('error', (e: unknown) => {
          if (isTlsAlert(e) && !alerts.has(socket)) alerts.set(socket, e as Error);
        });
      }
      callback(...args);
    });
}

/** The TLS alert the connection `socket` received, if any. */
export function tlsAlertOf(socket: object | undefined): Error | undefined {
  return socket === undefined ? undefined : alerts.get(socket);
}

/** OpenSSL's error for an alert received from the peer: ERR_SSL_SSLV3_ALERT_…, ERR_SSL_TLSV1_ALERT_…, ERR_SSL_TLSV13_ALERT_…. */
export function isTlsAlert(e: unknown): boolean {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_/.test(code);
}
