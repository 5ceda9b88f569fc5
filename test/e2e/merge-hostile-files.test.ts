import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { readAuditReport } from '../../src/cli/reports/read-audit-report.js';
import { run } from '../../src/cli/run.js';
import { compareKeys } from '../../src/core/methods/key-order.js';
import { fixtureEnv, runCli, type CliResult } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { CLI, FIXTURE_CONFIG } from '../support/paths.js';

/**
 * The hostile-files campaign for `sfsync merge`: forged reports, FIFOs, device
 * nodes, sockets, symbolic links and huge files (replicas in a temporary
 * directory, never the real /dev), each with its exact exit code and one-line
 * message; then random mutations of a real report, each of which must merge
 * correctly or be refused in one line.
 */
const db = useFixtureDatabases();
const dir = mkdtempSync(join(tmpdir(), 'sfsync-hostile-merge-'));
const shards: string[] = [];
const reports: any[] = [];
let socket: Server | undefined;

/**
 * The CLI as a subprocess, killed after 20 s: a merge that blocks on a FIFO must fail the test, not
 * hang it.
 */
function merge(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'merge', ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
  });
}

/**
 * A file in the campaign's directory holding `content` (a report object is printed as sfsync prints
 * one).
 */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof content === 'string' || content instanceof Uint8Array
      ? content
      : `${JSON.stringify(content, null, 2)}\n`,
  );
  return path;
}

/** A copy of the real report of shard `k` (1-based), changed by `change`. */
function forged(k: number, change: (report: any) => void): any {
  const copy = structuredClone(reports[k - 1]);
  change(copy);
  return copy;
}

/** The first entity of a report with at least one mismatch, and its index. */
const withMismatches = (report: any) =>
  report.entities.findIndex((e: any) => e.mismatches.length > 0);

beforeAll(async () => {
  await buildAuditScenario(db);
  for (let k = 1; k <= 3; k++) {
    const result = await runCli(
      ['audit', '--config', FIXTURE_CONFIG, '--shard', `${k}/3`, '--format', 'json'],
      { env: fixtureEnv(db) },
    );
    expect(result.code).toBe(1);
    shards.push(file(`shard-${k}.json`, result.stdout));
    reports.push(JSON.parse(result.stdout));
  }
  // Each shard must have mismatches of its own for the forgeries below.
  for (const report of reports) expect(withMismatches(report)).toBeGreaterThanOrEqual(0);
});

// The replicas go with the directory (the 1 TiB sparse file takes no space, but nothing should trip
// over it later).
afterAll(() => {
  socket?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  /** The files to merge (a hostile one among real ones). */
  readonly files: () => string[] | Promise<string[]>;
  /** The one line merge must print to stderr, after "sfsync: ". */
  readonly message: (files: string[]) => string;
  /** Runs only where device nodes can be made (root with CAP_MKNOD, as in CI's container). */
  readonly needs?: 'mknod';
}

/**
 * A replica of /dev/zero (character device 1,5) in the campaign's directory, if this user may make
 * one.
 */
const madeDevice = (() => {
  try {
    execFileSync('mknod', [join(dir, 'zero.json'), 'c', '1', '5'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const refusedByKind = (kind: string) => (files: string[]) =>
  `${files[1]} is ${kind}, not a regular file: ` +
  'only regular files are read (a pipe or a device could block or never end)';
const notAReport = (where: string) => (files: string[]) =>
  `${files[1]} is not an sfsync audit report of format 1: ${where}`;
/**
 * As messages give sizes (read-regular-file's byteSize, kept apart so that this file runs against
 * older builds too).
 */
function byteSize(bytes: number): string {
  const [unit, size] =
    bytes >= 2 ** 20 ? ['MiB', 2 ** 20] : bytes >= 2 ** 10 ? ['KiB', 2 ** 10] : ['bytes', 1];
  return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
}
const WHY =
  'merge reads at most 256 MiB of reports in all (as printed), ' +
  'so that the merged report fits in memory';
const ENUM_CLASSES =
  'Invalid option: expected one of ' +
  '"source_duplicate"|"duplicate"|"missing_parent"|"failed"|"gave_up"|"absent"|"stuck"|' +
  '"drift"|"orphan"';

const CASES: Case[] = [
  {
    name: 'a FIFO (would block until someone writes to it)',
    files: () => {
      execFileSync('mkfifo', [join(dir, 'fifo.json')]);
      return [shards[0]!, join(dir, 'fifo.json'), shards[2]!];
    },
    message: refusedByKind('a FIFO (named pipe)'),
  },
  {
    name: 'a symbolic link to a FIFO',
    files: () => {
      execFileSync('mkfifo', [join(dir, 'fifo-2')]);
      symlinkSync(join(dir, 'fifo-2'), join(dir, 'link-to-fifo.json'));
      return [shards[0]!, join(dir, 'link-to-fifo.json'), shards[2]!];
    },
    message: refusedByKind('a FIFO (named pipe)'),
  },
  {
    name: 'a character device (a replica of /dev/zero, which never ends: where mknod is allowed)',
    files: () => [shards[0]!, join(dir, 'zero.json'), shards[2]!],
    message: refusedByKind('a character device'),
    needs: 'mknod',
  },
  {
    name: 'a Unix socket',
    files: async () => {
      const path = join(dir, 'socket.json');
      socket = createServer();
      await new Promise<void>((resolve) => socket!.listen(path, resolve));
      return [shards[0]!, path, shards[2]!];
    },
    message: refusedByKind('a socket'),
  },
  {
    name: 'a directory',
    files: () => {
      mkdirSync(join(dir, 'a-directory.json'));
      return [shards[0]!, join(dir, 'a-directory.json'), shards[2]!];
    },
    message: refusedByKind('a directory'),
  },
  {
    name: 'a huge sparse file (1 TiB, read to the end before: /dev/zero behaves alike)',
    files: () => {
      execFileSync('truncate', ['-s', '1T', join(dir, 'huge.json')]);
      return [shards[0]!, join(dir, 'huge.json'), shards[2]!];
    },
    // What is left of the 256 MiB once shard 1 (printed as it reads, less its final line break) is
    // taken.
    message: (files) =>
      `${files[1]} is larger than ${byteSize(2 ** 28 - (statSync(files[0]!).size - 1))}: ${WHY}`,
  },
  {
    name: 'a huge sparse file given first',
    files: () => [join(dir, 'huge.json'), ...shards],
    message: (files) => `${files[0]} is larger than 256 MiB: ${WHY}`,
  },
  {
    name: 'a symbolic link loop',
    files: () => {
      symlinkSync(join(dir, 'loop-b.json'), join(dir, 'loop-a.json'));
      symlinkSync(join(dir, 'loop-a.json'), join(dir, 'loop-b.json'));
      return [shards[0]!, join(dir, 'loop-a.json'), shards[2]!];
    },
    message: (files) => `cannot read ${files[1]}: a loop of symbolic links`,
  },
  {
    name: 'a missing file',
    files: () => [shards[0]!, join(dir, 'missing.json'), shards[2]!],
    message: (files) => `cannot read ${files[1]}: no such file`,
  },
  {
    name: 'bytes that are not UTF-8',
    files: () => [
      shards[0]!,
      file('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])),
      shards[2]!,
    ],
    message: (files) =>
      `${files[1]} is not UTF-8 text: merge takes the reports of \`sfsync audit --format json\``,
  },
  {
    name: 'a drifted value nested 100,000 deep (JSON.stringify overflowed its stack: exit 70)',
    files: () => {
      const report = forged(2, (r) => {
        const e = r.entities[withMismatches(r)];
        e.mismatches[0].fields = [{ column: 'name', source: 'x', mirror: 'y' }];
      });
      const text = `${JSON.stringify(report)}`.replace(
        '"source":"x"',
        `"source":${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      );
      return [shards[0]!, file('deep.json', text), shards[2]!];
    },
    message: (files) =>
      `${files[1]} nests arrays or objects more than 64 deep: ` +
      'an audit report nests 7 (a drifted JSON value a few more)',
  },
  {
    name: 'shard 4/3 (5/4 was accepted, its counts added in)',
    files: () => [
      ...shards,
      file(
        'shard-4-of-3.json',
        forged(1, (r) => (r.shard = { index: 4, count: 3 })),
      ),
    ],
    message: (files) =>
      `${files[3]} is not an sfsync audit report of format 1: ` +
      'shard.index: the shard is past the number of shards',
  },
  {
    name: 'shard 1/1000000000 alone (ran out of memory listing the missing ones: exit 134)',
    files: () => [
      file(
        'shard-1-of-1e9.json',
        forged(1, (r) => (r.shard = { index: 1, count: 1_000_000_000 })),
      ),
    ],
    message: (files) =>
      `${files[0]} is not an sfsync audit report of format 1: ` +
      'shard.count: audit --shard splits into at most 1024 shards',
  },
  {
    name: 'shard 1/1000 alone: the missing ones counted, not listed',
    files: () => [
      file(
        'shard-1-of-1000.json',
        forged(1, (r) => (r.shard = { index: 1, count: 1000 })),
      ),
    ],
    message: () =>
      'shards 2/1000, 3/1000, 4/1000, 5/1000, 6/1000 and 994 more missing: ' +
      'the merge of a part is not the audit',
  },
  {
    name:
      'a wrong-typed field ' +
      '(fields: a string; accepted before, and the table output crashed on it)',
    files: () => [
      shards[0]!,
      file(
        'wrong-type.json',
        forged(2, (r) => (r.entities[withMismatches(r)].mismatches[0].fields = 'x')),
      ),
      shards[2]!,
    ],
    message: (files) =>
      `${files[1]} is not an sfsync audit report of format 1: ` +
      `entities.${withMismatches(reports[1])}.mismatches.0.fields: ` +
      'Invalid input: expected array, received string',
  },
  {
    name: 'counts zeroed while mismatches are listed (exit 0 before)',
    files: () => [
      file('zeroed-1.json', forged(1, zeroCounts)),
      file('zeroed-2.json', forged(2, zeroCounts)),
      file('zeroed-3.json', forged(3, zeroCounts)),
    ],
    message: (files) => {
      const i = withMismatches(reports[0]);
      const entity = reports[0].entities[i];
      const cls = entity.mismatches[0].class;
      const n = entity.mismatches.filter((m: any) => m.class === cls).length;
      return (
        `${files[0]} is not a consistent audit report: entities.${i} (${entity.name}): ` +
        `counts.${cls} is 0 but ${n} ${cls} mismatch${n === 1 ? ' is' : 'es are'} listed ` +
        '(a report lists every one)'
      );
    },
  },
  {
    name: 'a key listed by two shards (listed twice before)',
    files: () => {
      const i = withMismatches(reports[0]);
      const stolen = reports[0].entities[i].mismatches[0];
      const copy = forged(2, (r) => {
        const entity = r.entities[i];
        entity.mismatches = [...entity.mismatches, stolen].sort((a: any, b: any) =>
          compareKeys(a.key, b.key),
        );
        entity.counts[stolen.class]++;
      });
      return [shards[0]!, file('stolen-key.json', copy), shards[2]!];
    },
    message: (files) => {
      const entity = reports[0].entities[withMismatches(reports[0])];
      return (
        `${files[0]} and ${files[1]} both list key ${JSON.stringify(entity.mismatches[0].key)} ` +
        `of ${entity.name}: each key belongs to one shard, so these are not shards of one audit`
      );
    },
  },
  {
    name: 'a key listed twice by one shard',
    files: () => [
      shards[0]!,
      file(
        'twice.json',
        forged(2, (r) => {
          const entity = r.entities[withMismatches(r)];
          entity.mismatches.push(entity.mismatches[0]);
          entity.counts[entity.mismatches[0].class]++;
        }),
      ),
      shards[2]!,
    ],
    message: (files) => {
      const i = withMismatches(reports[1]);
      const entity = reports[1].entities[i];
      return (
        `${files[1]} is not a consistent audit report: entities.${i} (${entity.name}): ` +
        `key ${JSON.stringify(entity.mismatches[0].key)} is listed twice`
      );
    },
  },
  {
    name: 'a class that is markup (ran script in the HTML report)',
    files: () => [
      shards[0]!,
      file(
        'script-class.json',
        forged(
          2,
          (r) =>
            (r.entities[withMismatches(r)].mismatches[0].class = '<img src=x onerror=alert(1)>'),
        ),
      ),
      shards[2]!,
    ],
    message: (files) =>
      notAReport(`entities.${withMismatches(reports[1])}.mismatches.0.class: ${ENUM_CLASSES}`)(
        files,
      ),
  },
  {
    name: 'a parent state that is markup (ran script in the HTML report)',
    files: () => [
      shards[0]!,
      file(
        'script-state.json',
        forged(2, (r) => {
          const m = r.entities[withMismatches(r)].mismatches[0];
          m.parent = {
            entity: 'school',
            key: 'k',
            state: '<script>fetch("http://127.0.0.1:9/")</script>',
          };
        }),
      ),
      shards[2]!,
    ],
    message: (files) =>
      `${files[1]} is not an sfsync audit report of format 1: ` +
      `entities.${withMismatches(reports[1])}.mismatches.0.parent.state: ` +
      'Invalid option: expected one of "ready"|"unsynced"|"failed"|"absent"',
  },
  {
    name: 'an entity name that is markup',
    files: () => [
      shards[0]!,
      file(
        'script-entity.json',
        forged(2, (r) => (r.entities[0].name = '<b>x</b>')),
      ),
      shards[2]!,
    ],
    message: notAReport(
      'entities.0.name: expected a name as the config allows ' +
        '(letters, digits, _; not starting with a digit)',
    ),
  },
  {
    name: 'an entity named __proto__',
    files: () => [
      shards[0]!,
      file(
        'proto.json',
        forged(2, (r) => (r.entities[0].name = '__proto__')),
      ),
      shards[2]!,
    ],
    message: notAReport(
      'entities.0.name: expected a name as the config allows, not a JavaScript object internal',
    ),
  },
  {
    name: 'order that does not name the entities',
    files: () => [
      shards[0]!,
      file(
        'order.json',
        forged(2, (r) => r.order.reverse()),
      ),
      shards[2]!,
    ],
    message: (files) =>
      `${files[1]} is not a consistent audit report: ` +
      'order does not name the entities, in the order they are listed',
  },
  {
    name: 'a read-only entity with mismatches',
    files: () => [
      shards[0]!,
      file(
        'read-only.json',
        forged(2, (r) => {
          const readOnly = r.entities.find((e: any) => e.readOnly);
          readOnly.mismatches = [r.entities[withMismatches(r)].mismatches[0]];
          readOnly.counts[readOnly.mismatches[0].class] = 1;
        }),
      ),
      shards[2]!,
    ],
    message: (files) => {
      const i = reports[1].entities.findIndex((e: any) => e.readOnly);
      return (
        `${files[1]} is not a consistent audit report: ` +
        `entities.${i} (${reports[1].entities[i].name}): ` +
        'a read-only entity has no source rows, no counts and no mismatches'
      );
    },
  },
  {
    name: 'a count that is not a safe integer',
    files: () => [
      shards[0]!,
      file(
        'unsafe.json',
        forged(2, (r) => (r.entities[0].mirrorRows = 2 ** 60)),
      ),
      shards[2]!,
    ],
    message: notAReport('entities.0.mirrorRows: Too big: expected int to be <=9007199254740991'),
  },
  {
    name: 'a million forged mismatches, none valid (zod listed an issue for each)',
    files: () => [
      shards[0]!,
      file(
        'million.json',
        forged(
          2,
          (r) => (r.entities[0].mismatches = Array.from({ length: 1_000_000 }, () => ({}))),
        ),
      ),
      shards[2]!,
    ],
    message: notAReport(
      'entities.0.mismatches.0.key: Invalid input: expected string, received undefined',
    ),
  },
  {
    name: 'a file name with a line break and an escape sequence',
    files: () => [shards[0]!, file('evil\n\u001b[31mname.json', 'not json'), shards[2]!],
    message: () =>
      `${dir}/evil\\n\\u{001B}[31mname.json is not JSON: ` +
      'merge takes the reports of `sfsync audit --format json`',
  },
];

function zeroCounts(report: any): void {
  for (const entity of report.entities)
    for (const cls of Object.keys(entity.counts))
      if (cls !== 'ok' && cls !== 'pending') entity.counts[cls] = 0;
}

describe('merge on hostile files: exit 2, a line naming the file; no hang, crash or merge', () => {
  for (const c of CASES) {
    it.skipIf(c.needs === 'mknod' && !madeDevice)(c.name, async () => {
      const files = await c.files();
      const result = await merge(['--format', 'json', ...files]);
      expect({ code: result.code, signal: result.signal ?? null, stderr: result.stderr }).toEqual({
        code: 2,
        signal: null,
        stderr: `sfsync: ${c.message(files)}\n`,
      });
      // No merged report: the error alone, as a document (docs/output.md).
      expect(JSON.parse(result.stdout)).toEqual({
        tool: 'sfsync',
        command: 'merge',
        formatVersion: 1,
        error: { exitCode: 2, kind: 'usage', message: c.message(files) },
      });
    });
  }

  it('measures a minified report as it would print, and refuses it past what is left', async () => {
    const minified = file('minified.json', JSON.stringify(reports[1]));
    const printed = JSON.stringify(reports[1], null, 2).length;
    expect(statSync(minified).size).toBeLessThan(printed - 1000);
    const limit = (maxBytes: number) => ({ maxBytes, why: 'the test says so' });
    expect((await readAuditReport(minified, limit(printed))).printedLength).toBe(printed);
    await expect(readAuditReport(minified, limit(printed - 1))).rejects.toThrow(
      `${minified} prints as ${byteSize(printed)}, ` +
        `more than ${byteSize(printed - 1)}: the test says so`,
    );
  });

  it('reads a symbolic link to a report like the report', async () => {
    symlinkSync(shards[1]!, join(dir, 'link-to-shard-2.json'));
    const direct = await merge(['--format', 'json', ...shards]);
    const linked = await merge([
      '--format',
      'json',
      shards[0]!,
      join(dir, 'link-to-shard-2.json'),
      shards[2]!,
    ]);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toBe('');
    const timeless = (text: string) => ({ ...JSON.parse(text), startedAt: null, finishedAt: null });
    expect(timeless(linked.stdout)).toEqual(timeless(direct.stdout));
  });
});

/**
 * `sfsync merge` in this process (thousands of runs in seconds), as run.ts runs it: its exit code
 * and what it printed.
 */
async function mergeInProcess(args: string[]): Promise<CliResult> {
  let [stdout, stderr] = ['', ''];
  const context: CliContext = {
    stdout: {
      write: (text: string) => {
        stdout += text;
        return true;
      },
    },
    stderr: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        stderr += chunk.toString();
        done();
      },
    }),
    stdin: process.stdin,
    stdinIsTTY: false,
    argv: ['merge', ...args],
    env: {},
    cwd: dir,
    signal: new AbortController().signal,
    exitCode: 0,
  };
  const code = await run(['merge', ...args], context);
  return { code, stdout, stderr };
}

/** Every place in a JSON value, as a path of keys and indexes. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [at, ...entries.flatMap(([key, v]) => paths(v, [...at, key]))];
}

type Change = 'replace' | 'delete' | 'duplicate' | 'nudge' | 'to-shard-3';
const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror=alert(1)>',
  '\u001b[2J',
  '\n',
  '__proto__',
  '\ud800',
  '',
];

/**
 * A report with one change at `path`; `other` is shard 3's report, which a mismatch may be copied
 * into.
 */
function mutate(
  report: any,
  other: any,
  path: (string | number)[],
  change: Change,
  value: unknown,
  pick: number,
): void {
  if (path.length === 0) {
    if (change === 'replace') Object.assign(report, { shard: value });
    return;
  }
  const parent = path.slice(0, -1).reduce((node, key) => node[key], report);
  const key = path.at(-1)!;
  const old = parent[key];
  switch (change) {
    case 'replace':
      parent[key] = value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(old));
      else parent[key] = [old, old];
      break;
    case 'nudge':
      if (typeof old === 'number')
        parent[key] = [old + 1, old - 1, -old - 1, old * 1e9, old + 0.5][pick % 5];
      else if (typeof old === 'string') parent[key] = old + HOSTILE[pick % HOSTILE.length];
      else if (typeof old === 'boolean') parent[key] = !old;
      else parent[key] = pick % 2 === 0 ? 0 : '';
      break;
    case 'to-shard-3': {
      // A mismatch of this report also listed (with its count) by shard 3: one key in two shards.
      const entityIndex = typeof path[1] === 'number' ? path[1] : 0;
      const mismatch = report.entities[entityIndex]?.mismatches?.[0];
      const target = other.entities[entityIndex];
      if (mismatch && target) {
        target.mismatches.push(mismatch);
        target.mismatches.sort((a: any, b: any) => compareKeys(a.key, b.key));
        target.counts[mismatch.class]++;
      }
      break;
    }
  }
}

/**
 * What a correct merge of these reports holds: per entity, the counts added and the keys in key
 * order.
 */
function expectedMerge(inputs: any[]) {
  return inputs[0].order.map((name: string) => {
    const parts = inputs.map((r) => r.entities.find((e: any) => e.name === name));
    const counts = Object.fromEntries(
      Object.keys(parts[0].counts).map((cls) => [
        cls,
        // A report without gave_up was written before the class: it counts none.
        parts.reduce(
          (sum: number, e: any) => sum + (e.counts[cls] ?? (cls === 'gave_up' ? 0 : NaN)),
          0,
        ),
      ]),
    );
    const keys = parts.flatMap((e: any) => e.mismatches.map((m: any) => m.key)).sort(compareKeys);
    return { name, counts, keys };
  });
}

describe('sfsync merge on random changes to a real report (fast-check, fixed seed)', () => {
  it('merges (0/1) or refuses in a line naming a file (2); never 70, crash or trace', async () => {
    const allPaths = paths(reports[1]);
    const html = join(dir, 'fuzz.html');
    let [merged, refused] = [0, 0];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allPaths),
        fc.constantFrom<Change>('replace', 'delete', 'duplicate', 'nudge', 'to-shard-3'),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...HOSTILE)),
        fc.nat(),
        async (path, change, value, pick) => {
          const [report, other] = [structuredClone(reports[1]), structuredClone(reports[2])];
          mutate(report, other, path, change, value, pick);
          const inputs = [reports[0], report, other];
          const files = [shards[0]!, file('mutated.json', report), file('other.json', other)];
          const result = await mergeInProcess(['--format', 'json', '--html', html, ...files]);
          if (result.code === 2) {
            refused++;
            expect(result.stderr).toMatch(/^sfsync: [^\n]+\n$/);
            expect(result.stderr).toMatch(/mutated\.json|other\.json/);
            // The error as a document, never a merged report.
            expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 2 } });
            expect(JSON.parse(result.stdout)).not.toHaveProperty('entities');
            return;
          }
          merged++;
          expect({ code: result.code, stderr: result.stderr }).toEqual({
            code: expect.any(Number),
            stderr: '',
          });
          const out = JSON.parse(result.stdout);
          const expected = expectedMerge(inputs);
          expect(
            out.entities.map((e: any) => ({
              name: e.name,
              counts: e.counts,
              keys: e.mismatches.map((m: any) => m.key),
            })),
          ).toEqual(expected);
          const found = expected.reduce((n: number, e: any) => n + e.keys.length, 0);
          expect(out.totals.mismatches).toBe(found);
          expect(result.code).toBe(found > 0 ? 1 : 0);
          expect(readFileSync(html, 'utf8')).not.toMatch(/<script>window|<img src=x/);
        },
      ),
      { seed: 18, numRuns: 600 },
    );
    // Both outcomes occur: the changes are not all refused, nor all harmless.
    expect(merged).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  }, 120_000);
});
