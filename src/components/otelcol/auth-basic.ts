/**
 * otelcol.auth.basic: HTTP basic authentication for exporters (the
 * `Authorization` header) and receivers (checked against htpasswd entries).
 * As Alloy (internal/component/otelcol/auth/basic/basic.go): the client uses
 * `client_auth` when given, else the deprecated `username`/`password`, which
 * also become one more accepted htpasswd entry on the server side.
 *
 * htpasswd entries may hold plain, `{SHA}` or `{SSHA}` passwords; bcrypt and
 * apr1-MD5 entries are refused at load (not supported by alloy-ts).
 */
import { describeSchema, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { handlerType, HANDLER_TYPE, type AuthHandler } from './config/auth.js';
import { DebugMetricsBlock } from './config/unsupported.js';

const ClientAuth = schema(
  {
    username: optional(t.string),
    username_file: optional(t.string),
    password: optional(t.secret),
    password_file: optional(t.string),
  },
  (c) => (!(c.username || c.username_file) || !(c.password?.value || c.password_file) ? 'client_auth needs a username (or username_file) and a password (or password_file)' : undefined),
);

const Htpasswd = schema({ file: optional(t.string), inline: optional(t.string) });

const Arguments = schema(
  {
    username: optional(t.string),
    password: optional(t.secret),
    client_auth: optionalBlock(ClientAuth),
    htpasswd: optionalBlock(Htpasswd),
    debug_metrics: optionalBlock(DebugMetricsBlock),
  },
  (a) => {
    if (!a.username && !a.password?.value && !a.htpasswd && !a.client_auth) return 'no credential source provided';
    if (a.username && !a.password?.value) return 'no password provided';
    return undefined;
  },
);
export type BasicAuthArgs = Infer<typeof Arguments>;

export const otelcolAuthBasic = defineComponent({
  name: 'otelcol.auth.basic',
  description: 'Provides HTTP basic authentication for otelcol exporters (client side) and receivers (server side).',
  stability: 'generally-available',
  args: Arguments,
  exports: schema({ handler: { kind: 'attr', type: handlerType, required: true } }),
  async build(ctx, initial) {
    const { BasicAuth } = await import('./auth-basic/basic-auth.js');
    const auth = new BasicAuth(initial);
    const handler: AuthHandler = {
      capsuleType: HANDLER_TYPE,
      componentId: ctx.id,
      decorate: (headers) => auth.decorate(headers),
      authenticate: (headers) => auth.authenticate(headers),
    };
    ctx.setExports({ handler });
    return {
      update(next: BasicAuthArgs) {
        auth.configure(next);
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(ClientAuth, {
  username: 'User name sent by exporters.',
  username_file: 'File holding the user name.',
  password: 'Password sent by exporters.',
  password_file: 'File holding the password.',
}, 'Credentials that exporters send.');
describeSchema(Htpasswd, {
  file: 'htpasswd file of the users receivers accept.',
  inline: 'htpasswd lines of the users receivers accept.',
}, 'Users that receivers accept.');
describeSchema(Arguments, {
  username: 'User name (deprecated; use client_auth).',
  password: 'Password (deprecated; use client_auth).',
  client_auth: 'Credentials that exporters send.',
  htpasswd: 'Users that receivers accept.',
});
describeSchema(otelcolAuthBasic.exports!, {
  handler: 'Handler that otelcol components use in their auth argument.',
});
