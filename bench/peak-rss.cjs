// Preloaded (node --require) into the CLI that bench/child.js times: writes the process's peak
// resident set, in kilobytes, to $BENCH_RSS_FILE as it exits.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
