/**
 * The `otelcol.Handler` capsule that `otelcol.auth.*` components export as
 * `handler` and that receivers (`grpc`/`http` > `auth`) and exporters
 * (`client` > `auth`) take. A handler may serve either side or both
 * (Alloy: internal/component/otelcol/auth/auth.go).
 */
import { t } from '../../../lang/schema.js';
import type { CapsulePayload } from '../../../lang/value.js';
import type { ClientMetadata } from '../pdata/consumer.js';

export const HANDLER_TYPE = 'otelcol.Handler';

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthHandler extends CapsulePayload {
  readonly capsuleType: typeof HANDLER_TYPE;
  /** Id of the component that exports it, for messages. */
  readonly componentId: string;
  /**
   * Exporter side: sets (or removes) headers of an outgoing request; names in
   * `headers` are lower-case. `metadata` is the data's client metadata.
   */
  decorate?(headers: Record<string, string>, metadata: ClientMetadata | undefined): Promise<void>;
  /** Receiver side: throws an AuthError when the request's headers do not authenticate. */
  authenticate?(headers: RequestHeaders): Promise<void>;
}

export class AuthError extends Error {}

export const handlerType = t.capsule<AuthHandler>(HANDLER_TYPE);

export function requireClientAuth(h: AuthHandler): NonNullable<AuthHandler['decorate']> {
  if (!h.decorate) throw new Error(`${h.componentId} does not support client authentication`);
  return h.decorate.bind(h);
}

export function requireServerAuth(h: AuthHandler): NonNullable<AuthHandler['authenticate']> {
  if (!h.authenticate) throw new Error(`${h.componentId} does not support server authentication`);
  return h.authenticate.bind(h);
}

/** A header's first value (node:http and grpc-js metadata both may carry several). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : (v as string | undefined);
}
