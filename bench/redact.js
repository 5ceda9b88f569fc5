// npm run bench:redact — redaction stays linear in the text, as a ratio measured in this run.
// sfsync redacts every message and command line it prints; a log line of glued URLs must not
// make that quadratic (a bounded read per inner URL is what keeps it linear, and only time
// tells the bounded read from an unbounded one: both print the same text). For each shape the
// time for 16× the URLs is divided by the time for 1×: linear is near 16, quadratic near 256.
import { redactSecrets } from '../dist/core/redact.js';

const SMALL = Number(process.env.BENCH_REDACT_URLS ?? 20_000);
const FACTOR = 16;
const LIMIT = FACTOR * 4;
const REPEAT = 3;

const SHAPES = {
  'database URLs glued by ;': (n) => `postgres://a@h1/d${';postgres://app:pw@h/d'.repeat(n)}`,
  'database URLs in a comma list': (n) =>
    `--urls=postgres://a@h/d${',postgres://u:p@h/d'.repeat(n)}`,
  'webhooks after a database URL': (n) => `postgres://a@h/d;${'https://u:p@x/y?q=1;'.repeat(n)}`,
  'password= values after @ hosts': (n) => `postgres://a:b/d?${'password=a@h&'.repeat(n)}`,
};

function bestMs(text) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    redactSecrets(text);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

let missed = 0;
console.log(
  `redaction: time for ${FACTOR}× the URLs ÷ time for ${SMALL.toLocaleString('en')} URLs`,
);
for (const [name, build] of Object.entries(SHAPES)) {
  const small = bestMs(build(SMALL));
  const large = bestMs(build(SMALL * FACTOR));
  const ratio = large / Math.max(small, 0.01);
  const ok = ratio <= LIMIT;
  if (!ok) missed++;
  const times = `${small.toFixed(1)} ms → ${large.toFixed(1)} ms`;
  const limit = `(≤ ${LIMIT}; ${times})`;
  console.log(
    `${ok ? 'ok  ' : 'MISS'} ${name.padEnd(32)} ${ratio.toFixed(1).padStart(7)}  ${limit}`,
  );
}
process.exitCode = missed === 0 ? 0 : 1;
