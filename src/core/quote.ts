/**
 * A value from a config file or a database, quoted for a message: JSON string
 * syntax, so control characters and lone surrogates show as escapes, and cut
 * to `max` characters, so a 100 KB value cannot flood a terminal or a log.
 */
export function quote(value: string, max = 60): string {
  const chars = [...value];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : value);
}
