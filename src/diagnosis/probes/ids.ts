// The follow-up probes' ids: an exchange a probe made carries its id (Exchange.probe), and the rules
// find a probe's answer by it. One owner: the probes send with these, the rules look up by these.
export const PROBE = {
  /** auth: the same validation without service_id (is the key valid for another service?). */
  authWithoutServiceId: 'auth-without-service-id',
  /** auth: the auth service's own /health. */
  authHealth: 'auth-health',
  /** auth: does the registry accept the key by itself (MLflow through the proxy)? */
  registryAcceptsKey: 'registry-accepts-key',
  /** health, auth: the same port over TLS (an http:// URL to an https port). */
  tlsPort: 'tls-port',
  /** artifact: the upload through the proxy's ajax-api route. */
  ajaxArtifact: 'ajax-artifact',
  /** artifact: the listing of the run's artifacts through the proxy. */
  artifactListing: 'artifact-listing',
  /** artifact: the upload and read sent straight to MLflow (--mlflow-direct-url). */
  directArtifact: 'direct-artifact',
  /** artifact: a few bytes' upload, after the full one was cut or refused. */
  smallUpload: 'small-upload',
} as const;

export type ProbeId = (typeof PROBE)[keyof typeof PROBE];

const IDS: ReadonlySet<string> = new Set(Object.values(PROBE));

export function isProbeId(id: string): id is ProbeId {
  return IDS.has(id);
}
