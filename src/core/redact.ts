/**
 * Secrets out of anything sfsync stores or prints: the password of a
 * connection URL (`postgres://user:PASSWORD@host`), `password=` parameters
 * (in a URL's query or a libpq key/value string) and PGPASSWORD=… assignments.
 * The user, host and database stay, so a redacted line still says where.
 */
export const REDACTED = '***';

// scheme://userinfo@ — userinfo runs to the last @ before the host part, so a password with an unescaped @ is caught whole.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s"'`]*)@/gi;
const PASSWORD_PARAM = /\b((?:ssl)?password|PGPASSWORD)(\s*=\s*)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;"'`]+)/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(PASSWORD_PARAM, (_match, name: string, equals: string) => `${name}${equals}${REDACTED}`);
}

/** A command line for the journal: every argument redacted. */
export function redactCommandLine(argv: readonly string[]): string {
  return argv.map(redactSecrets).join(' ');
}

/** Any JSON-like value with every string in it redacted (run summaries, error details). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}
