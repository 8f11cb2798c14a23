// The wrong upstream of the artifacts-misrouted-external fault: something like an ALB in front of
// another service, answering every request with its HTML 404 (`server: awselb/2.0`).
import type { Handler } from './http/listen.js';
import { linger } from './http/body.js';
import { sendAlb } from './responders.js';

export function createExternalUpstream(): Handler {
  return (req, res) => {
    sendAlb(res, 404);
    linger(req, 5000);
  };
}
