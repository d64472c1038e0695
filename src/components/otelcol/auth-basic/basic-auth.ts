/**
 * The two sides of otelcol.auth.basic. Credentials files are read when the
 * component is (re)configured; htpasswd files too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuthError, headerValue, type RequestHeaders } from '../config/auth.js';
import type { BasicAuthArgs } from '../auth-basic.js';

type Check = (password: string) => boolean;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One htpasswd entry's password check (tg123/go-htpasswd formats alloy-ts implements). */
function passwordCheck(stored: string, user: string): Check {
  if (stored.startsWith('{SHA}')) {
    const want = stored.slice(5);
    return (p) => sameText(createHash('sha1').update(p).digest('base64'), want);
  }
  if (stored.startsWith('{SSHA}')) {
    const raw = Buffer.from(stored.slice(6), 'base64');
    const digest = raw.subarray(0, 20);
    const salt = raw.subarray(20);
    return (p) => timingSafeEqual(createHash('sha1').update(p).update(salt).digest(), digest);
  }
  if (/^\$(2[abxy]?|apr1|1|5|6)\$/.test(stored)) throw new Error(`htpasswd entry for ${JSON.stringify(user)}: bcrypt/MD5/crypt hashes are not supported by alloy-ts (use {SHA} or {SSHA})`);
  return (p) => sameText(p, stored);
}

function parseHtpasswd(text: string, into: Map<string, Check>): void {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error('malformed htpasswd line: expected user:password');
    const user = line.slice(0, colon);
    into.set(user, passwordCheck(line.slice(colon + 1), user));
  }
}

export class BasicAuth {
  private header: string | undefined;
  private users = new Map<string, Check>();

  constructor(args: BasicAuthArgs) {
    this.configure(args);
  }

  configure(args: BasicAuthArgs): void {
    this.header = clientHeader(args);
    const users = new Map<string, Check>();
    if (args.htpasswd?.file) parseHtpasswd(readFileSync(args.htpasswd.file, 'utf8'), users);
    if (args.htpasswd?.inline) parseHtpasswd(args.htpasswd.inline, users);
    if (args.username && args.password?.value) users.set(args.username, (p) => sameText(p, args.password!.value));
    this.users = users;
  }

  async decorate(headers: Record<string, string>): Promise<void> {
    if (this.header) headers['authorization'] = this.header;
  }

  async authenticate(headers: RequestHeaders): Promise<void> {
    const value = headerValue(headers, 'authorization');
    if (!value) throw new AuthError('missing or empty authorization header');
    const m = /^Basic\s+(.+)$/i.exec(value.trim());
    if (!m) throw new AuthError('the authorization header is not basic authentication');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthError('invalid basic authentication credentials');
    const check = this.users.get(decoded.slice(0, colon));
    if (!check || !check(decoded.slice(colon + 1))) throw new AuthError('the provided credentials are invalid');
  }
}

function clientHeader(args: BasicAuthArgs): string | undefined {
  const c = args.client_auth;
  const user = c ? (c.username ?? readFileSync(c.username_file!, 'utf8').trim()) : args.username;
  const pass = c ? (c.password?.value || readFileSync(c.password_file!, 'utf8').trim()) : args.password?.value;
  if (user === undefined || pass === undefined) return undefined;
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}
