/**
 * `promtool check metrics`, ported so a test can hold every metrics file sfsync writes to it
 * (promtool itself is a Go binary this environment cannot install). promtool reads stdin with
 * promlint's `New(r).Lint()` and prints each problem as `<metric> <text>`; a text it cannot
 * parse is `error while linting: <parse error>`.
 *
 * The rules are promlint's default validations, message for message, from
 * https://github.com/prometheus/client_golang/tree/v1.24.1/prometheus/testutil/promlint
 * (promlint.go, validation.go and validations/*.go at tag v1.24.1, commit
 * d6087ee482e06716ee21dc03819432d5d40f72db). The families they see come from the classic text
 * parser promlint decodes with,
 * https://github.com/prometheus/common/blob/v0.70.1/expfmt/text_parse.go, ported here too
 * rather than taken from parse-prometheus-text-format: that package merges repeated label sets
 * into one sample and reports a missing HELP as an empty one, which would hide exactly what
 * LintDuplicateMetric and LintHelp look for.
 *
 * Narrower than upstream, on purpose: only the legacy name charset (no quoted UTF-8 names, which
 * sfsync never writes, and which are refused here as a parse error) and parse-error messages
 * that name the line but are not all worded as expfmt words them.
 */

export interface Problem {
  /** The family the problem is about; empty for a parse error. */
  readonly metric: string;
  readonly text: string;
}

type MetricType = 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'UNTYPED' | 'HISTOGRAM' | 'GAUGE_HISTOGRAM';

type LabelPair = readonly [name: string, value: string];

interface Family {
  readonly name: string;
  help?: string;
  type?: MetricType;
  /** One entry per metric; a summary's or histogram's lines for one label set share one. */
  readonly metrics: LabelPair[][];
  /** Summaries and histograms: label signature → index in `metrics`. */
  readonly grouped: Map<string, number>;
}

class ParseError extends Error {}

/** Problems promtool would print for this exposition text, sorted by metric, then text. */
export function promlint(text: string): Problem[] {
  let families: Family[];
  try {
    families = parse(text);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return [{ metric: '', text: error.message }];
  }
  const problems = families.flatMap((family) =>
    VALIDATIONS.flatMap((validate) =>
      validate(family).map((problem) => ({ metric: family.name, text: problem })),
    ),
  );
  // Go's sort.SliceStable by metric, then text: byte order, which for these ASCII names is
  // code-unit order.
  return problems.sort((a, b) =>
    a.metric === b.metric ? compare(a.text, b.text) : compare(a.metric, b.metric),
  );
}

/** promtool's output for these problems: one `<metric> <text>` line each. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => (p.metric ? `${p.metric} ${p.text}` : `error while linting: ${p.text}`))
    .join('\n');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// --- validations/*.go --------------------------------------------------------------------------

type Validation = (family: Family) => string[];

/** validations/help_validations.go: LintHelp. */
const lintHelp: Validation = (f) => (f.help === undefined ? ['no help text'] : []);

/** validations/generic_name_validations.go: LintMetricUnits. */
const lintMetricUnits: Validation = (f) => {
  const found = metricUnits(f.name);
  if (!found || found.unit === found.base) return [];
  return [`use base unit ${quote(found.base)} instead of ${quote(found.unit)}`];
};

/** validations/counter_validations.go: LintCounter. */
const lintCounter: Validation = (f) => {
  const type = typeOf(f);
  const hasTotalSuffix = f.name.endsWith('_total');
  if (type === 'COUNTER' && !hasTotalSuffix) return ['counter metrics should have "_total" suffix'];
  if (type !== 'UNTYPED' && type !== 'COUNTER' && hasTotalSuffix)
    return ['non-counter metrics should not have "_total" suffix'];
  return [];
};

/** validations/histogram_validations.go: LintHistogramSummaryReserved. */
const lintHistogramSummaryReserved: Validation = (f) => {
  const type = typeOf(f);
  if (type === 'UNTYPED') return [];
  const isHistogram = type === 'HISTOGRAM';
  const isSummary = type === 'SUMMARY';
  const problems: string[] = [];
  if (!isHistogram && f.name.endsWith('_bucket'))
    problems.push('non-histogram metrics should not have "_bucket" suffix');
  if (!isHistogram && !isSummary && f.name.endsWith('_count'))
    problems.push('non-histogram and non-summary metrics should not have "_count" suffix');
  if (!isHistogram && !isSummary && f.name.endsWith('_sum'))
    problems.push('non-histogram and non-summary metrics should not have "_sum" suffix');
  for (const labels of f.metrics) {
    for (const [name] of labels) {
      if (!isHistogram && name === 'le')
        problems.push('non-histogram metrics should not have "le" label');
      if (!isSummary && name === 'quantile')
        problems.push('non-summary metrics should not have "quantile" label');
    }
  }
  return problems;
};

/** validations/generic_name_validations.go: LintMetricTypeInName. */
const lintMetricTypeInName: Validation = (f) => {
  const type = typeOf(f);
  if (type === 'UNTYPED') return [];
  const name = f.name.toLowerCase();
  const typename = type.toLowerCase();
  return name.includes(`_${typename}_`) || name.endsWith(`_${typename}`)
    ? [`metric name should not include type '${typename}'`]
    : [];
};

/** validations/generic_name_validations.go: LintReservedChars. */
const lintReservedChars: Validation = (f) =>
  f.name.includes(':') ? ["metric names should not contain ':'"] : [];

const CAMEL_CASE = /[a-z][A-Z]/;

/** validations/generic_name_validations.go: LintCamelCase. */
const lintCamelCase: Validation = (f) => {
  const problems: string[] = [];
  if (CAMEL_CASE.test(f.name))
    problems.push("metric names should be written in 'snake_case' not 'camelCase'");
  for (const labels of f.metrics)
    for (const [name] of labels)
      if (CAMEL_CASE.test(name))
        problems.push("label names should be written in 'snake_case' not 'camelCase'");
  return problems;
};

/** validations/generic_name_validations.go: LintUnitAbbreviations. */
const lintUnitAbbreviations: Validation = (f) => {
  const name = f.name.toLowerCase();
  return UNIT_ABBREVIATIONS.filter((s) => name.includes(`_${s}_`) || name.endsWith(`_${s}`)).map(
    () => 'metric names should not contain abbreviated units',
  );
};

/** validations/duplicate_validations.go: LintDuplicateMetric (labels compared in order). */
const lintDuplicateMetric: Validation = (f) => {
  const problems: string[] = [];
  f.metrics.forEach((labels, i) => {
    const same = (other: LabelPair[]) =>
      other.length === labels.length &&
      other.every(([name, value], j) => name === labels[j]![0] && value === labels[j]![1]);
    if (f.metrics.slice(i + 1).some(same)) problems.push('metric not unique');
  });
  return problems;
};

/** validation.go: defaultValidations, in upstream's order. */
const VALIDATIONS: readonly Validation[] = [
  lintHelp,
  lintMetricUnits,
  lintCounter,
  lintHistogramSummaryReserved,
  lintMetricTypeInName,
  lintReservedChars,
  lintCamelCase,
  lintUnitAbbreviations,
  lintDuplicateMetric,
];

// --- validations/units.go ----------------------------------------------------------------------

const UNITS: Readonly<Record<string, string>> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};

const UNIT_PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];

const UNIT_ABBREVIATIONS = [
  's',
  'ms',
  'us',
  'ns',
  'sec',
  'b',
  'kb',
  'mb',
  'gb',
  'tb',
  'pb',
  'm',
  'h',
  'd',
];

/** The first `_`-separated part of the name that is a known unit, bare or prefixed. */
function metricUnits(name: string): { unit: string; base: string } | undefined {
  for (const part of name.split('_')) {
    const base = Object.hasOwn(UNITS, part) ? UNITS[part] : undefined;
    if (base) return { unit: part, base };
    for (const prefix of UNIT_PREFIXES) {
      const rest = part.slice(prefix.length);
      if (part.startsWith(prefix) && Object.hasOwn(UNITS, rest))
        return { unit: part, base: UNITS[rest]! };
    }
  }
  return undefined;
}

/** Go's %q for the ASCII strings these messages quote. */
const quote = (s: string) => JSON.stringify(s);

const typeOf = (f: Family): MetricType => f.type ?? 'UNTYPED';

// --- expfmt/text_parse.go ----------------------------------------------------------------------

const TYPES: Readonly<Record<string, MetricType>> = {
  COUNTER: 'COUNTER',
  GAUGE: 'GAUGE',
  SUMMARY: 'SUMMARY',
  UNTYPED: 'UNTYPED',
  HISTOGRAM: 'HISTOGRAM',
  GAUGE_HISTOGRAM: 'GAUGE_HISTOGRAM',
  GAUGEHISTOGRAM: 'GAUGE_HISTOGRAM',
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^(?:[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)|nan)$/i;

function parse(text: string): Family[] {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  // A last line without its newline ends the stream mid-token: expfmt calls that an error.
  const last = lines.pop()!;
  if (last.replace(/[ \t]/g, '') !== '')
    throw new ParseError(
      `text format parsing error in line ${lines.length + 1}: unexpected end of input stream`,
    );
  lines.forEach((raw, index) => {
    const fail = (message: string): never => {
      throw new ParseError(`text format parsing error in line ${index + 1}: ${message}`);
    };
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '') return;
    if (line.startsWith('#')) readComment(line.slice(1), families, fail);
    else readSample(line, families, fail);
  });
  // expfmt drops families that have HELP or TYPE but no sample, so promlint never sees them.
  return [...families.values()].filter((f) => f.metrics.length > 0);
}

type Fail = (message: string) => never;

function readComment(rest: string, families: Map<string, Family>, fail: Fail): void {
  const words = /^[ \t]*(\S+)[ \t]*(.*)$/.exec(rest);
  if (!words || (words[1] !== 'HELP' && words[1] !== 'TYPE')) return;
  const after = words[2]!;
  const name = METRIC_NAME.exec(after)?.[0] ?? '';
  const tail = after.slice(name.length);
  // `# HELP name` with nothing after the name is no HELP at all, not an empty one.
  if (tail === '' && name !== '') return;
  if (name === '' || !/^[ \t]/.test(tail)) fail('invalid metric name in comment');
  const family = familyFor(name, families);
  const value = tail.replace(/^[ \t]+/, '');
  if (value === '') return;
  if (words[1] === 'HELP') {
    if (family.help !== undefined) fail(`second HELP line for metric name ${quote(name)}`);
    family.help = unescapeText(value, false, fail);
    return;
  }
  if (family.type !== undefined)
    fail(`second TYPE line for metric name ${quote(name)}, or TYPE reported after samples`);
  const type = TYPES[value.toUpperCase()];
  if (!type) fail(`unknown metric type ${quote(value)}`);
  family.type = type;
}

function readSample(line: string, families: Map<string, Family>, fail: Fail): void {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) fail('invalid metric name');
  const family = familyFor(name, families);
  family.type ??= 'UNTYPED';
  const type = family.type;
  let rest = line.slice(name.length).replace(/^[ \t]+/, '');
  const labels: LabelPair[] = [];
  // Summaries lose `quantile`, histograms `le`: expfmt keeps them out of the metric's labels.
  const special = type === 'SUMMARY' ? 'quantile' : type.endsWith('HISTOGRAM') ? 'le' : undefined;
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.replace(/^[ \t]+/, '');
      if (rest.startsWith('}')) break;
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label) fail(`invalid label name for metric ${quote(family.name)}`);
      rest = rest.slice(label.length).replace(/^[ \t]+/, '');
      if (!rest.startsWith('='))
        fail(`expected '=' after label name, found ${quote(rest[0] ?? '\n')}`);
      if (label === '__name__') fail('label name "__name__" is reserved');
      rest = rest.slice(1).replace(/^[ \t]+/, '');
      if (!rest.startsWith('"'))
        fail(`expected '"' at start of label value, found ${quote(rest[0] ?? '\n')}`);
      const closing = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (!closing) fail(`label value ${quote(rest.slice(1))} contains unescaped new-line`);
      const value = unescapeText(closing[1]!, true, fail);
      rest = rest.slice(closing[0].length).replace(/^[ \t]+/, '');
      if (label === special) {
        if (!FLOAT.test(value)) fail(`expected float as value for '${label}' label, got ${value}`);
      } else {
        if (labels.some(([n]) => n === label))
          fail(`duplicate label names for metric ${quote(family.name)}`);
        labels.push([label, value]);
      }
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) fail(`unexpected end of label value ${quote(value)}`);
    }
    rest = rest.slice(1).replace(/^[ \t]+/, '');
  }
  const value = /^[^ \t]*/.exec(rest)![0];
  if (!FLOAT.test(value)) fail(`expected float as value, got ${quote(value)}`);
  const remainder = rest.slice(value.length).replace(/^[ \t]+/, '');
  if (rest.length > value.length) {
    const timestamp = /^[^ \t]*/.exec(remainder)![0];
    if (!/^[+-]?\d+$/.test(timestamp))
      fail(`expected integer as timestamp, got ${quote(timestamp)}`);
    const spurious = remainder.slice(timestamp.length);
    if (spurious !== '') fail(`spurious string after timestamp: ${quote(spurious)}`);
  }
  addMetric(family, labels);
}

/** A summary's or histogram's lines for one label set are one metric; any other line is its own. */
function addMetric(family: Family, labels: LabelPair[]): void {
  if (family.type === 'SUMMARY' || family.type?.endsWith('HISTOGRAM')) {
    const signature = JSON.stringify([...labels].sort(([a], [b]) => compare(a, b)));
    if (family.grouped.has(signature)) return;
    family.grouped.set(signature, family.metrics.length);
  }
  family.metrics.push(labels);
}

/**
 * setOrCreateCurrentMF: the family of this name, or the summary or histogram whose `_sum`,
 * `_count` (or `_bucket`) line it is.
 */
function familyFor(name: string, families: Map<string, Family>): Family {
  const own = families.get(name);
  if (own) return own;
  const base = /^(.*)_(sum|count|bucket)$/.exec(name);
  if (base) {
    const parent = families.get(base[1]!);
    const type = parent?.type;
    if (parent && type === 'SUMMARY' && base[2] !== 'bucket') return parent;
    if (parent && (type === 'HISTOGRAM' || type === 'GAUGE_HISTOGRAM')) return parent;
  }
  const family: Family = { name, metrics: [], grouped: new Map() };
  families.set(name, family);
  return family;
}

/** HELP text takes `\\` and `\n`; a label value `\"` as well. */
function unescapeText(text: string, labelValue: boolean, fail: Fail): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && labelValue) return '"';
    return fail(`invalid escape sequence '\\${c}'`);
  });
}
