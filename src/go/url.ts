/**
 * Go's net/url URL.Redacted: a URL whose userinfo has a password shows it as
 * "xxxxx" (https://pkg.go.dev/net/url#URL.Redacted). The userinfo is what
 * precedes the last "@" of the authority (Go's url.Parse splits there); a
 * URL without a password is unchanged.
 */

const REDACTED_PASSWORD = 'xxxxx';

/** `scheme://` and the authority after it (up to the path, query, fragment or the end of the URL in text). */
const URL_AUTHORITY = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#"'<>`]*)/g;

/** The password of every URL in `text` replaced as URL.Redacted does; the rest of the text is unchanged. */
export function redactUrlPasswords(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_AUTHORITY, (_match, scheme: string, authority: string) => scheme + redactAuthority(authority));
}

function redactAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  if (at < 0) return authority;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return authority;
  return `${userinfo.slice(0, colon)}:${REDACTED_PASSWORD}${authority.slice(at)}`;
}
