import { describe, expect, it } from 'vitest';
import { formatProblems, promlint } from '../support/promlint.js';

/** One family as promtool would read it: HELP (unless null), TYPE, then the sample lines. */
function family(name: string, type: string, samples: string[], help: string | null = 'Test.') {
  const helpLine = help === null ? '' : `# HELP ${name} ${help}\n`;
  return `${helpLine}# TYPE ${name} ${type}\n${samples.join('\n')}\n`;
}

const texts = (text: string) => promlint(text).map((p) => `${p.metric}: ${p.text}`);

describe('promlint port', () => {
  it('finds nothing in a well-formed gauge family', () => {
    const text = family('sfsync_rows', 'gauge', [
      'sfsync_rows{entity="a \\"b\\" \\\\ c\\nd",side="mirror"} 3',
      'sfsync_rows{entity="x",side="mirror"} 0 1700000000000',
    ]);
    expect(promlint(text)).toEqual([]);
  });

  // Every default validation of promlint, each on the smallest text that breaks it; the texts
  // and messages are upstream's own test cases (promlint_test.go at v1.24.1) where it has one.
  it.each([
    [
      'LintHelp: no HELP line',
      family('go_goroutines', 'gauge', ['go_goroutines 24'], null),
      ['go_goroutines: no help text'],
    ],
    [
      'LintHelp: a HELP line with no text',
      `# HELP go_goroutines\n${family('go_goroutines', 'gauge', ['go_goroutines 24'], null)}`,
      ['go_goroutines: no help text'],
    ],
    [
      'LintMetricUnits: a prefixed unit',
      family('x_milliseconds', 'gauge', ['x_milliseconds 1']),
      ['x_milliseconds: use base unit "seconds" instead of "milliseconds"'],
    ],
    [
      'LintMetricUnits: a non-base unit',
      family('x_minutes', 'untyped', ['x_minutes 1']),
      ['x_minutes: use base unit "seconds" instead of "minutes"'],
    ],
    [
      'LintMetricUnits: bits',
      family('x_bits', 'untyped', ['x_bits 1']),
      ['x_bits: use base unit "bytes" instead of "bits"'],
    ],
    [
      'LintCounter: a counter without _total',
      family('x_bytes', 'counter', ['x_bytes 10']),
      ['x_bytes: counter metrics should have "_total" suffix'],
    ],
    [
      'LintCounter: a gauge with _total',
      family('x_bytes_total', 'gauge', ['x_bytes_total 10']),
      ['x_bytes_total: non-counter metrics should not have "_total" suffix'],
    ],
    [
      'LintHistogramSummaryReserved: _bucket',
      family('x_bucket', 'gauge', ['x_bucket 1']),
      ['x_bucket: non-histogram metrics should not have "_bucket" suffix'],
    ],
    [
      'LintHistogramSummaryReserved: _count',
      family('x_count', 'gauge', ['x_count 1']),
      ['x_count: non-histogram and non-summary metrics should not have "_count" suffix'],
    ],
    [
      'LintHistogramSummaryReserved: _sum',
      family('x_sum', 'gauge', ['x_sum 1']),
      ['x_sum: non-histogram and non-summary metrics should not have "_sum" suffix'],
    ],
    [
      'LintHistogramSummaryReserved: le',
      family('x_bytes', 'gauge', ['x_bytes{le="1"} 10']),
      ['x_bytes: non-histogram metrics should not have "le" label'],
    ],
    [
      'LintHistogramSummaryReserved: quantile on a histogram',
      family('x', 'histogram', [
        'x_bucket{le="1",quantile="0.01"} 0',
        'x_bucket{le="+Inf",quantile="0.01"} 3',
        'x_sum 2.5',
        'x_count 3',
      ]),
      ['x: non-summary metrics should not have "quantile" label'],
    ],
    [
      'LintHistogramSummaryReserved: le on a summary',
      family('x_seconds', 'summary', [
        'x_seconds{quantile="0",le="0.01"} 4.2e-05',
        'x_seconds{quantile="1",le="0.01"} 0.02',
        'x_seconds_sum 1.7',
        'x_seconds_count 5962',
      ]),
      ['x_seconds: non-histogram metrics should not have "le" label'],
    ],
    [
      'LintMetricTypeInName',
      family('memory_limit_gauge_bytes', 'gauge', ['memory_limit_gauge_bytes 1']),
      ["memory_limit_gauge_bytes: metric name should not include type 'gauge'"],
    ],
    [
      'LintMetricTypeInName with LintCounter',
      family('http_requests_counter', 'counter', ['http_requests_counter 10']),
      [
        'http_requests_counter: counter metrics should have "_total" suffix',
        "http_requests_counter: metric name should not include type 'counter'",
      ],
    ],
    [
      'LintReservedChars',
      family('a::b_seconds', 'gauge', ['a::b_seconds 1']),
      ["a::b_seconds: metric names should not contain ':'"],
    ],
    [
      'LintCamelCase: the name',
      family('requestDuration_seconds', 'gauge', ['requestDuration_seconds 1']),
      ["requestDuration_seconds: metric names should be written in 'snake_case' not 'camelCase'"],
    ],
    [
      'LintCamelCase: a label',
      family('x_seconds', 'gauge', ['x_seconds{httpService="a"} 1']),
      ["x_seconds: label names should be written in 'snake_case' not 'camelCase'"],
    ],
    [
      'LintUnitAbbreviations',
      family('request_duration_ms', 'gauge', ['request_duration_ms 1']),
      ['request_duration_ms: metric names should not contain abbreviated units'],
    ],
    [
      'LintUnitAbbreviations: upper case',
      family('memory_limit_MB', 'gauge', ['memory_limit_MB 1']),
      ['memory_limit_MB: metric names should not contain abbreviated units'],
    ],
    [
      'LintDuplicateMetric',
      family('x_rows', 'gauge', ['x_rows{a="1"} 1', 'x_rows{a="1"} 2']),
      ['x_rows: metric not unique'],
    ],
  ])('%s', (_, text, expected) => {
    expect(texts(text)).toEqual(expected);
  });

  it('lets pass what upstream lets pass', () => {
    for (const text of [
      family('x_bytes_total', 'counter', ['x_bytes_total 10']),
      family('x_bytes_total', 'untyped', ['x_bytes_total 10']),
      family('x_celsius', 'gauge', ['x_celsius 10']),
      // Labels compare in the order written, as reflect.DeepEqual sees them.
      family('x_rows', 'gauge', ['x_rows{a="1",b="2"} 1', 'x_rows{b="2",a="1"} 1']),
      family('x_seconds', 'histogram', [
        'x_seconds_bucket{le="0.5"} 1',
        'x_seconds_bucket{le="+Inf"} 2',
        'x_seconds_sum 0.7',
        'x_seconds_count 2',
      ]),
      family('x_seconds', 'summary', [
        'x_seconds{quantile="0.5"} 0.1',
        'x_seconds_sum 0.7',
        'x_seconds_count 2',
      ]),
      // A family with no sample is dropped by the parser, so nothing lints it.
      '# HELP x_count Test.\n# TYPE x_count gauge\n',
    ])
      expect(promlint(text), text).toEqual([]);
  });

  it('sorts the problems by metric, then text', () => {
    const text =
      family('b_total', 'gauge', ['b_total 1'], null) + family('a_total', 'gauge', ['a_total 1']);
    expect(texts(text)).toEqual([
      'a_total: non-counter metrics should not have "_total" suffix',
      'b_total: no help text',
      'b_total: non-counter metrics should not have "_total" suffix',
    ]);
  });

  it.each([
    ['no newline at the end', '# TYPE x gauge\nx 1', 'line 2: unexpected end of input stream'],
    ['a second HELP', '# HELP x a\n# HELP x b\n', 'line 2: second HELP line for metric name "x"'],
    ['TYPE after samples', 'x 1\n# TYPE x gauge\n', 'line 2: second TYPE line for metric name'],
    ['an unknown type', '# TYPE x meter\nx 1\n', 'line 1: unknown metric type "meter"'],
    ['a value that is no float', 'x one\n', 'line 1: expected float as value, got "one"'],
    ['a bad timestamp', 'x 1 now\n', 'line 1: expected integer as timestamp, got "now"'],
    ['a trailing blank', 'x 1 \n', 'line 1: expected integer as timestamp, got ""'],
    ['a repeated label', 'x{a="1",a="2"} 1\n', 'line 1: duplicate label names for metric "x"'],
    ['__name__ as a label', 'x{__name__="y"} 1\n', 'line 1: label name "__name__" is reserved'],
    ['a bad escape', 'x{a="\\t"} 1\n', "line 1: invalid escape sequence '\\t'"],
    ['an unquoted label value', 'x{a=1} 1\n', `line 1: expected '"' at start of label value`],
    ['a name that is not one', '1x 1\n', 'line 1: invalid metric name'],
  ])('reports a text it cannot parse, as promtool does: %s', (_, text, message) => {
    const problems = promlint(text);
    expect(problems).toEqual([
      { metric: '', text: expect.stringContaining(`text format parsing error in ${message}`) },
    ]);
    expect(formatProblems(problems)).toMatch(/^error while linting: text format parsing error/);
  });

  it('formats problems the way promtool prints them', () => {
    expect(formatProblems(promlint(family('x_total', 'gauge', ['x_total 1'], null)))).toBe(
      'x_total no help text\nx_total non-counter metrics should not have "_total" suffix',
    );
  });
});
