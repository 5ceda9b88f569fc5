/**
 * Secrets out of anything sfsync stores or prints, found by reading the text
 * as the programs that use it would, not by a character class:
 *
 * - a database URL's password (`postgres://user:PASSWORD@host/db`), raw or
 *   percent-encoded, whatever characters it holds;
 * - `password=` and `sslpassword=` in a URL's query;
 * - `password=` / `sslpassword=` in a libpq key/value string, quoted as libpq
 *   quotes (`'a b'`, `\'`) or as a shell or SQL would (`'it'\''s'`, `''`),
 *   `PGPASSWORD=…` and any other `…PASSWORD=…` assignment, `"password": "…"` in JSON;
 * - everything but the scheme and host of an http(s) URL: a webhook's path and
 *   query, and any URL's user info, are bearer secrets (`https://hooks.slack.com/***`).
 *
 * The user, host and database of a database URL stay, so a redacted line still
 * says where. Where a text can be read two ways (a raw password holding `@`,
 * `/` or a quote), the union of what both readings call secret is redacted:
 * sometimes more than the secret, never less. Redacting twice changes nothing.
 */
export const REDACTED = '***';

/** Keys whose value is a secret: password, sslpassword, PGPASSWORD, POSTGRES_PASSWORD… */
const SECRET_KEY = /password$/i;

interface Span {
  start: number;
  end: number;
  replacement: string;
}

interface UrlRegion {
  readonly web: boolean;
  /** Just after `scheme://`. */
  readonly authority: number;
  /** Where the URL can end at the latest. */
  readonly end: number;
}

// Every :// starts a URL; its scheme is the run of scheme characters (RFC 3986) before it.
const SEPARATOR = /:\/\//g;
const SEPARATOR_AHEAD = /:\/\//g;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
// A scheme starts with a letter: `...postgres://` and `1postgres://` are postgres URLs.
const SCHEME_START = /[A-Za-z]/;
const WEB_SCHEME = /https?$/i;
// In a message, a URL runs at most to the end of its line or to the next URL that starts as one
// would in prose or on a command line.
const NEXT_URL = /(?<=[\s='"(<,])(?:postgres(?:ql)?|https?):\/\//gi;
const LINE_BREAK = /[\r\n]/g;
// A query parameter: [?&]name=
const QUERY_PARAM = /[?&]([^=&#\s?]*)=/g;
// Where a raw query value ends: the next &name=.
const NEXT_PARAM = /&[A-Za-z0-9_.%-]+=/g;
// name=, name = or "name": (JSON), for a name that ends in "password".
const ASSIGNMENT =
  /(?<![A-Za-z0-9_])(?:"([A-Za-z0-9_]*password)"[ \t]*:|([A-Za-z0-9_]*password)[ \t]*=)[ \t]*/gi;
const SPACE = /\s/;
const TRAILING_PUNCTUATION = /['")\]>.,;:!]/;

export interface RedactOptions {
  /**
   * The text is one value that may be a URL (a command-line argument, an
   * option's value): a URL in it runs to its end, spaces and line breaks
   * included, as a URL parser would read them. Otherwise (a message) a URL
   * ends at its line's end or where another starts, and an http(s) URL's
   * path and a query's value at the first space: a message goes on after its URL.
   */
  readonly whole?: boolean;
}

export function redactSecrets(text: string, options: RedactOptions = {}): string {
  const whole = options.whole ?? false;
  const regions = urlRegions(text, whole);
  const scan = new TextScan(text);
  const spans = regions.flatMap((region) =>
    region.web ? webSpans(text, region, whole, scan) : databaseUrlSpans(text, region, whole),
  );
  return replaceSpans(text, [...spans, ...assignmentSpans(text, regions, merged(spans))]);
}

/** A command line for the journal: each argument redacted as the one value it is. */
export function redactCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => redactSecrets(arg, { whole: true })).join(' ');
}

/**
 * Any JSON-like value with every string in it redacted, and the value of every key that names a
 * password (run summaries, error details).
 */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && isScalarSecret(v) ? REDACTED : redactDeep(v),
      ]),
    );
  }
  return value;
}

/** A password may be a number in JSON or YAML; true/false/null say nothing. */
function isScalarSecret(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
}

/**
 * Every URL, read from each :// in the text. A web URL inside another URL is
 * read too: a webhook after a `;` in a database URL's value is still a
 * webhook, and a database URL after a webhook's path is still one. A scheme
 * that ends in http(s) is read as a web URL (`git+https://`, or a webhook
 * glued to the word before it), and as a database URL unless it is http(s).
 * A database URL inside another is read too, but only up to the next ://: the
 * outer one's reading need not cover its password (the outer's user info ends
 * at its own last @, the inner's may run to an @ in a password value), and
 * the bound keeps a text of many URLs linear.
 */
function urlRegions(text: string, whole: boolean): UrlRegion[] {
  const regions: UrlRegion[] = [];
  const lineBreak = new NextMatch(LINE_BREAK, text);
  const nextUrl = new NextMatch(NEXT_URL, text);
  const nextSeparator = new NextMatch(SEPARATOR_AHEAD, text);
  let databaseEnd = 0;
  SEPARATOR.lastIndex = 0;
  for (let match = SEPARATOR.exec(text); match; match = SEPARATOR.exec(text)) {
    const scheme = schemeBefore(text, match.index);
    if (scheme === undefined) continue;
    const authority = match.index + match[0].length;
    const end = whole
      ? text.length
      : Math.min(lineBreak.after(authority), nextUrl.after(authority));
    if (WEB_SCHEME.test(scheme)) regions.push({ web: true, authority, end });
    if (/^https?$/i.test(scheme)) continue;
    // An authority at databaseEnd is where its line or the next URL starts: its URL is empty.
    // Reading an inner URL on to its line's end redacts the same text (its password runs to
    // the end of whatever is read) but makes glued URLs quadratic: bench/redact.js tells them
    // apart by time, which no test may.
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, see above
    if (authority >= databaseEnd) {
      regions.push({ web: false, authority, end });
      databaseEnd = end;
    } else {
      const bounded = nextSeparator.after(authority);
      // Stryker disable next-line MethodExpression: equivalent but quadratic, see above
      regions.push({ web: false, authority, end: Math.min(end, bounded) });
    }
  }
  return regions;
}

/** The scheme that ends at `colon`: the scheme characters before it, from the first letter. */
function schemeBefore(text: string, colon: number): string | undefined {
  let start = colon;
  while (start > 0 && SCHEME_CHAR.test(text[start - 1]!)) start--;
  // From the colon on there is no scheme, however far this loop runs.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  while (start < colon && !SCHEME_START.test(text[start]!)) start++;
  return start < colon ? text.slice(start, colon) : undefined;
}

/**
 * The next match of a pattern at or after a position, for positions that only grow: each part of
 * the text is searched once.
 */
class NextMatch {
  // Stryker disable next-line UnaryOperator: equivalent, from >= 4 (past scheme://) searches anyway
  private found = -1;
  constructor(
    private readonly pattern: RegExp,
    private readonly text: string,
  ) {}

  after(from: number): number {
    // Searching again finds the same match: this cache only spares the work.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (a cache)
    if (this.found < from) {
      this.pattern.lastIndex = from;
      this.found = this.pattern.exec(this.text)?.index ?? this.text.length;
    }
    return this.found;
  }
}

/**
 * A database URL: the password of its user info, and its password parameters.
 * The user info runs to the last @ of the URL: a raw password may hold @, /,
 * ?, # or spaces, so nothing before that @ can be trusted to end it (libpq
 * would stop at the first /; the redaction covers both readings). An @ inside
 * a password parameter's value is not that @.
 */
function databaseUrlSpans(text: string, { authority, end }: UrlRegion, whole: boolean): Span[] {
  const params = queryPasswordSpans(text, authority, end, whole);
  const at = lastAt(text, authority, end, params);
  const spans = [...params];
  const colon = firstIndex(text, /:/, authority, at);
  // An empty or reversed span is dropped (merged, replaceSpans): pushing one changes nothing.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  // Stryker disable next-line ArithmeticOperator: equivalent, see above
  if (colon + 1 < at) {
    spans.push({ start: colon + 1, end: at, replacement: REDACTED });
  }
  return spans;
}

/**
 * The values of password parameters ([?&]password=, percent-encoded names
 * too), each up to the next &name= or the URL's end, and in a message the
 * first space (nothing closes a query value, and a message goes on after its
 * URL); in order, apart.
 */
function queryPasswordSpans(text: string, from: number, end: number, whole: boolean): Span[] {
  const url = text.slice(from, end);
  const spans: Span[] = [];
  QUERY_PARAM.lastIndex = 0;
  for (let match = QUERY_PARAM.exec(url); match; match = QUERY_PARAM.exec(url)) {
    if (!SECRET_KEY.test(decodeName(match[1]!))) continue;
    const start = match.index + match[0].length;
    NEXT_PARAM.lastIndex = start;
    const nextParam = NEXT_PARAM.exec(url)?.index ?? url.length;
    const valueEnd = whole ? nextParam : firstIndex(url, SPACE, start, nextParam);
    spans.push({ start: from + start, end: from + valueEnd, replacement: REDACTED });
    QUERY_PARAM.lastIndex = valueEnd;
  }
  return spans;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * The last @ in [from, end) outside the given spans (in order, apart); failing that, the last @ at
 * all; -1 if none.
 */
function lastAt(text: string, from: number, end: number, outside: readonly Span[]): number {
  let last = -1;
  let span = outside.length - 1;
  for (let i = end - 1; i >= from; i--) {
    if (text[i] !== '@') continue;
    // Stryker disable next-line EqualityOperator: equivalent, last is -1 or past ://
    if (last < 0) last = i;
    while (span >= 0 && outside[span]!.start > i) span--;
    // A password value ends at an &, a space or the URL's end: never at an @.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    if (span < 0 || i >= outside[span]!.end) return i;
  }
  return last;
}

/**
 * An http(s) URL: its user info (all of it: a token is often the user) and
 * everything after its host. As a URL parser reads it, the authority ends at
 * the first / ? # or \; in a message, at the first space too, so a message's
 * own text (an e-mail address in a webhook's answer) is not taken for user info.
 */
function webSpans(
  text: string,
  { authority, end }: UrlRegion,
  whole: boolean,
  scan: TextScan,
): Span[] {
  const stop = whole ? /[/?#\\]/ : /[/?#\\\s]/;
  const authorityEnd = firstIndex(text, stop, authority, end);
  const spans: Span[] = [];
  const at = lastAt(text, authority, authorityEnd, []);
  // An empty span is dropped (merged, replaceSpans): pushing one changes nothing.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  if (at > authority) spans.push({ start: authority, end: at, replacement: REDACTED });
  if (authorityEnd < end && !SPACE.test(text[authorityEnd]!)) {
    let pathEnd = end;
    if (!whole) {
      // In a message the URL ends at a space, and punctuation after it belongs to the
      // message ('…', (…), a full stop).
      pathEnd = Math.min(scan.space.after(authorityEnd), end);
      // The / ? # or \ at authorityEnd is no punctuation: the run always stops after it.
      // Stryker disable next-line ArithmeticOperator: equivalent, see above
      pathEnd = Math.max(scan.punctuationBefore(pathEnd), authorityEnd + 1);
    }
    const bareSlash = pathEnd === authorityEnd + 1 && text[authorityEnd] === '/';
    if (!bareSlash) spans.push({ start: authorityEnd, end: pathEnd, replacement: `/${REDACTED}` });
  }
  return spans;
}

/**
 * Searches shared by the URLs of one text, each part of the text read once: many URLs stay linear.
 */
class TextScan {
  readonly space: NextMatch;
  // Stryker disable next-line UnaryOperator: equivalent, no run ends at 1 (past scheme://)
  private punctuationEnd = -1;
  // Stryker disable next-line UnaryOperator: equivalent, only read once set
  private punctuationStart = -1;

  constructor(private readonly text: string) {
    this.space = new NextMatch(/\s/g, text);
  }

  /** Where the run of trailing punctuation that ends at `end` starts. */
  punctuationBefore(end: number): number {
    // Stryker disable next-line ConditionalExpression: equivalent, a cache
    if (end !== this.punctuationEnd) {
      let start = end;
      // At 0 the test reads text[-1], undefined, which is no punctuation: the loop stops.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
      while (start > 0 && TRAILING_PUNCTUATION.test(this.text[start - 1]!)) start--;
      this.punctuationEnd = end;
      this.punctuationStart = start;
    }
    return this.punctuationStart;
  }
}

function firstIndex(text: string, pattern: RegExp, from: number, end: number): number {
  // Stryker disable next-line EqualityOperator: equivalent, a match at end returns end too
  for (let i = from; i < end; i++) if (pattern.test(text[i]!)) return i;
  return end;
}

/**
 * `name=value` assignments whose name ends in "password" (libpq key/value
 * strings, shell variables) and `"…password": "value"` in JSON, outside the
 * URLs already read: a query's own parameters were read with the URL.
 */
function assignmentSpans(
  text: string,
  regions: readonly UrlRegion[],
  taken: readonly Interval[],
): Span[] {
  const urls = merged(regions.map((r) => ({ start: r.authority, end: r.end })));
  const spans: Span[] = [];
  ASSIGNMENT.lastIndex = 0;
  for (let match = ASSIGNMENT.exec(text); match; match = ASSIGNMENT.exec(text)) {
    const at = match.index;
    const inQuery = (text[at - 1] === '?' || text[at - 1] === '&') && inside(urls, at);
    if (inQuery || inside(taken, at)) continue;
    const start = at + match[0].length;
    let span: Span;
    if (match[1] !== undefined) {
      const json = text[start] === '"';
      const end = json
        ? quotedEnd(text, start + 1, '"', true)
        : firstIndex(text, /[\s,}\]]/, start, text.length);
      // An unclosed value runs to the end of the text: keep no closing quote it does not have.
      const unquoted = json && text[end - 1] === '"' ? end - 1 : end;
      span = {
        start: json ? start + 1 : start,
        // unquoted < start + 1 only when the text ends at the opening quote: nothing to hide.
        // Stryker disable next-line ArithmeticOperator: equivalent, see above
        end: json ? Math.max(start + 1, unquoted) : end,
        replacement: REDACTED,
      };
    } else {
      span = { start, end: valueEnd(text, start, match[2]!), replacement: REDACTED };
    }
    spans.push(span);
    // What looks like another assignment inside this value is part of it.
    ASSIGNMENT.lastIndex = Math.max(ASSIGNMENT.lastIndex, span.end);
  }
  return spans;
}

/**
 * Where a value starting at `from` ends: at the first space outside quotes.
 * '…' and "…" parts may follow each other and unquoted text (a shell's
 * 'it'\''s'); a doubled quote ('it''s', as SQL writes it) does not end the
 * value either; an unclosed quote runs to the end. A backslash escapes the
 * next character, in '…' too as libpq reads it, but not as a shell does: a
 * lower-case name is read as libpq's (its keywords are lower-case and
 * case-sensitive), any other as a shell variable.
 */
function valueEnd(text: string, from: number, name: string): number {
  return readValue(text, from, /^[a-z_]*$/.test(name));
}

function readValue(text: string, from: number, libpq: boolean): number {
  let i = from;
  // At text.length one more turn steps past the end, and Math.min below takes it back.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  while (i < text.length && !SPACE.test(text[i]!)) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === "'" || c === '"') i = quotedEnd(text, i + 1, c, libpq || c === '"');
    else i++;
  }
  return Math.min(i, text.length);
}

/** Just after the quote that closes a quoted part whose text starts at `from`. */
function quotedEnd(text: string, from: number, quote: string, escapes: boolean): number {
  let i = from;
  // At text.length one more turn steps past the end, and text.length is returned.
  // Stryker disable next-line EqualityOperator: equivalent, see above
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && escapes) i += 2;
    else if (c !== quote) i++;
    else if (text[i + 1] === quote) i += 2;
    else return i + 1;
  }
  return text.length;
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** The spans as sorted, disjoint intervals (overlapping and touching ones merged). */
function merged(spans: readonly Interval[]): Interval[] {
  // An empty interval holds no position, and no span ends before it starts.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const { start, end } of sorted) {
    const last = out.at(-1);
    // Touching intervals hold the positions of their merge: inside() answers the same.
    // Stryker disable next-line EqualityOperator: equivalent, see above
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** Whether `at` falls in one of the sorted, disjoint intervals. */
function inside(intervals: readonly Interval[], at: number): boolean {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const interval = intervals[middle]!;
    if (at < interval.start) high = middle - 1;
    else {
      // No span or URL ends where an assignment starts (at an @, &, space, line break, scheme).
      // Stryker disable next-line EqualityOperator: equivalent, see above
      if (at >= interval.end) low = middle + 1;
      else return true;
    }
  }
  return false;
}

/**
 * The text with each span (overlapping ones merged) replaced; merged spans take the replacement of
 * the first.
 */
function replaceSpans(text: string, spans: readonly Span[]): string {
  const sorted = spans
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (let i = 0; i < sorted.length; ) {
    const { start, replacement } = sorted[i]!;
    let end = sorted[i]!.end;
    for (i++; i < sorted.length && sorted[i]!.start <= end; i++)
      end = Math.max(end, sorted[i]!.end);
    out += text.slice(at, start) + replacement;
    at = end;
  }
  return out + text.slice(at);
}
