import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

/**
 * The hostile-files campaign for every file a report run names: --html,
 * --metrics (written, and read back on a failed run for the last success
 * time) and $GITHUB_STEP_SUMMARY (appended to). Each target is a replica made
 * in a temporary directory — FIFOs, sockets, directories, symbolic links
 * (to a FIFO, to a file, dangling, in a loop, planted in a sticky directory),
 * device nodes (as root only: mknod needs it; CI runs as root and sets
 * SFSYNC_REQUIRE_ROOT_TESTS so they cannot be skipped there), a huge sparse
 * file — never the real /dev.
 */
const db = useFixtureDatabases();
const root = process.getuid?.() === 0;
if (process.env.SFSYNC_REQUIRE_ROOT_TESTS && !root)
  throw new Error(
    'SFSYNC_REQUIRE_ROOT_TESTS is set but the tests do not run as root: ' +
      'the device-node cases would be skipped',
  );

let dir: string;
let serial = 0;
const fresh = (name: string) => join(dir, `${++serial}-${name}`);
const sockets: Server[] = [];

beforeAll(async () => {
  await buildAuditScenario(db);
  dir = mkdtempSync(join(tmpdir(), 'sfsync-hostile-'));
});
afterAll(() => Promise.all(sockets.map((s) => new Promise((resolve) => s.close(resolve)))));

// lesson has one mismatch: exit 1, a run that completed. Only a run that did not complete reads
// the previous metrics file (for the last success it carries over): `failing` below.
const audit = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['audit', '--config', FIXTURE_CONFIG, '--entity', 'lesson', '--format', 'json', ...args], {
    env: fixtureEnv(db, env),
  });

const kindOf = (path: string) => {
  const s = lstatSync(path);
  return s.isSymbolicLink()
    ? 'link'
    : s.isFIFO()
      ? 'fifo'
      : s.isCharacterDevice()
        ? 'char'
        : s.isBlockDevice()
          ? 'block'
          : s.isSocket()
            ? 'socket'
            : s.isDirectory()
              ? 'dir'
              : 'file';
};

interface Refused {
  readonly name: string;
  readonly rootOnly?: boolean;
  /** Makes the replica; returns the path to give sfsync. */
  readonly make: () => Promise<string> | string;
  /** What the message says it is, after "it ". */
  readonly says: RegExp;
  /** The path is as it was afterwards. */
  readonly intact: (path: string) => void;
}

const REFUSED: readonly Refused[] = [
  {
    name: 'a FIFO',
    make: () => mkfifo(fresh('fifo')),
    says: /is a FIFO \(named pipe\), not a regular file/,
    intact: (p) => expect(kindOf(p)).toBe('fifo'),
  },
  {
    name: 'a symbolic link to a FIFO',
    make: () => link(mkfifo(fresh('fifo')), fresh('to-fifo')),
    says: /leads to a FIFO \(named pipe\), not a regular file/,
    intact: (p) => expect([kindOf(p), kindOf(readlinkSync(p))]).toEqual(['link', 'fifo']),
  },
  {
    name: 'a directory',
    make: () => {
      const p = fresh('dir');
      mkdirSync(p);
      return p;
    },
    says: /is a directory, not a regular file/,
    intact: (p) => expect(kindOf(p)).toBe('dir'),
  },
  {
    name: 'a socket',
    make: async () => {
      const p = fresh('socket');
      const server = createServer();
      sockets.push(server);
      await new Promise<void>((resolve) => server.listen(p, resolve));
      return p;
    },
    says: /is a socket, not a regular file/,
    intact: (p) => expect(kindOf(p)).toBe('socket'),
  },
  {
    name: 'a loop of symbolic links',
    make: () => {
      const [a, b] = [fresh('loop-a'), fresh('loop-b')];
      symlinkSync(b, a);
      symlinkSync(a, b);
      return a;
    },
    says: /is a chain of more than 40 symbolic links/,
    intact: (p) => expect(kindOf(p)).toBe('link'),
  },
  device('a character device (a replica of /dev/null)', 'c', 1, 3),
  device('a character device (a replica of /dev/zero), never read', 'c', 1, 5),
  device('a block device', 'b', 7, 200),
  {
    name: "a symbolic link planted in a sticky shared directory by another user (to root's file)",
    rootOnly: true,
    make: () => {
      const shared = fresh('tmp');
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      const target = fresh('precious');
      writeFileSync(target, 'precious\n');
      const planted = link(target, join(shared, 'report'));
      lchownSync(planted, 65534, 65534);
      return planted;
    },
    says: new RegExp(
      String.raw`is a symbolic link owned by another user \(uid 65534\) ` +
        'in the shared directory .*, which is not followed',
    ),
    intact: (p) =>
      expect([kindOf(p), readFileSync(readlinkSync(p), 'utf8')]).toEqual(['link', 'precious\n']),
  },
];

/** A device node replica (mknod: root only), never opened. */
function device(name: string, type: 'c' | 'b', major: number, minor: number): Refused {
  const [kind, word] = type === 'c' ? ['char', 'character'] : ['block', 'block'];
  return {
    name,
    rootOnly: true,
    make: () => mknod(fresh(`${kind}-${major}-${minor}`), type, major, minor),
    says: new RegExp(`is a ${word} device, not a regular file`),
    intact: (p) => expect(kindOf(p)).toBe(kind),
  };
}

function mkfifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

function mknod(path: string, type: 'c' | 'b', major: number, minor: number): string {
  execFileSync('mknod', [path, type, String(major), String(minor)]);
  return path;
}

function link(target: string, path: string): string {
  symlinkSync(target, path);
  return path;
}

describe.each([
  ['--html', 'HTML report'],
  ['--metrics', 'metrics file'],
])('%s', (option, what) => {
  for (const target of REFUSED) {
    it.skipIf(target.rootOnly && !root)(
      `refuses ${target.name}: exit 74, one line, the path left as it was`,
      async () => {
        const path = await target.make();
        const { code, stdout, stderr } = await audit([option, path]);
        expect(code).toBe(74);
        expect(JSON.parse(stdout).totals.mismatches).toBe(1);
        expect(stderr).toMatch(
          new RegExp(
            `^sfsync: cannot write the ${what} ${escapeRegExp(path)}: it ${target.says.source}\\n$`,
          ),
        );
        target.intact(path);
      },
    );
  }

  it('writes through a symbolic link to a regular file, keeping the link', async () => {
    const file = fresh('real');
    writeFileSync(file, 'old\n');
    const path = link(file, fresh('to-real'));
    expect((await audit([option, path])).code).toBe(1);
    expect(kindOf(path)).toBe('link');
    expect(readFileSync(file, 'utf8')).toContain(
      option === '--html' ? '<!doctype html>' : 'sfsync_last_exit_code',
    );
  });

  it('creates the file a dangling symbolic link names, keeping the link', async () => {
    const file = fresh('not-yet');
    const path = link(file, fresh('dangling'));
    expect((await audit([option, path])).code).toBe(1);
    expect([kindOf(path), kindOf(file)]).toEqual(['link', 'file']);
  });

  it('writes in place to its own stdout named through a link (a /dev/stdout replica)', async () => {
    const path = link('/proc/self/fd/1', fresh('stdout'));
    const { code, stdout, stderr } = await audit([option, path]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toContain(
      option === '--html' ? '<!doctype html>' : 'sfsync_last_exit_code{command="audit"} 1',
    );
    expect(readlinkSync(path)).toBe('/proc/self/fd/1');
  });
});

describe('--metrics: the previous file, read by a run that did not complete', () => {
  // No database answers here: the run fails (exit 3) and carries the last success over.
  const nowhere = 'postgres://nobody@127.0.0.1:1/none';
  const failing = (args: string[]) =>
    audit(args, { DATABASE_URL: nowhere, SALESFORCE_CONNECT_DB: nowhere });

  it('is not read if huge (sparse 4 GiB): one warning; the new metrics replace it', async () => {
    const path = fresh('huge.prom');
    writeFileSync(path, '');
    truncateSync(path, 4 * 2 ** 30);
    const { code, stderr } = await failing(['--metrics', path]);
    expect(code).toBe(3);
    expect(stderr).toContain(
      `sfsync: warning: not reading the previous metrics file ${path} ` +
        '(it is larger than 16 MiB): its last success time is not carried over\n',
    );
    expect(statSync(path).size).toBeLessThan(100_000);
    expect(readFileSync(path, 'utf8')).toContain('sfsync_last_exit_code{command="audit"} 3');
  });

  for (const target of REFUSED) {
    it.skipIf(target.rootOnly && !root)(
      `is neither read nor replaced when it is ${target.name}; the run keeps its own exit code`,
      async () => {
        const path = await target.make();
        const { code, stderr } = await failing(['--metrics', path]);
        expect(code).toBe(3);
        expect(stderr).toMatch(
          new RegExp(
            `sfsync: warning: cannot write the metrics file ${escapeRegExp(path)}: ` +
              `it ${target.says.source}`,
          ),
        );
        target.intact(path);
      },
    );
  }
});

describe('$GITHUB_STEP_SUMMARY', () => {
  for (const target of REFUSED) {
    it.skipIf(target.rootOnly && !root)(
      `is not appended to when it is ${target.name}: one warning, the exit code kept`,
      async () => {
        const path = await target.make();
        const { code, stderr } = await audit([], { GITHUB_STEP_SUMMARY: path });
        expect(code).toBe(1);
        expect(stderr).toMatch(
          new RegExp(
            `^sfsync: warning: not appending to \\$GITHUB_STEP_SUMMARY ${escapeRegExp(path)}: ` +
              `it ${target.says.source}\\n$`,
          ),
        );
        target.intact(path);
      },
    );
  }

  it('is appended to through a symbolic link, and in place on its own stdout', async () => {
    const file = fresh('summary.md');
    writeFileSync(file, '# before\n');
    const viaLink = await audit([], { GITHUB_STEP_SUMMARY: link(file, fresh('to-summary')) });
    expect(viaLink.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toMatch(/^# before\n## sfsync audit: 1 mismatch/);
    const own = await audit([], { GITHUB_STEP_SUMMARY: link('/proc/self/fd/1', fresh('stdout')) });
    expect(own.stdout).toContain('## sfsync audit: 1 mismatch');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('files besides reports: --config, init --from-export, init --force --config', () => {
  const UNREADABLE: readonly {
    name: string;
    rootOnly?: boolean;
    make: () => string;
    says: string;
  }[] = [
    {
      name: 'a FIFO',
      make: () => mkfifo(fresh('fifo.json')),
      says: 'it is a FIFO (named pipe), not a regular file',
    },
    {
      name: 'a symbolic link to a FIFO',
      make: () => link(mkfifo(fresh('fifo.json')), fresh('to-fifo.json')),
      says: 'it is a FIFO (named pipe), not a regular file',
    },
    {
      name: 'a directory',
      make: () => {
        const p = fresh('dir.json');
        mkdirSync(p);
        return p;
      },
      says: 'it is a directory, not a regular file',
    },
    {
      name: 'a replica of /dev/zero',
      rootOnly: true,
      make: () => mknod(fresh('zero.json'), 'c', 1, 5),
      says: 'it is a character device, not a regular file',
    },
    {
      name: 'a sparse file of 1 GiB',
      make: () => {
        const p = fresh('huge.json');
        writeFileSync(p, '');
        truncateSync(p, 2 ** 30);
        return p;
      },
      says: 'it is larger than 64 MiB',
    },
  ];
  const dead = 'postgres://nobody@127.0.0.1:1/none';

  for (const target of UNREADABLE) {
    it.skipIf(target.rootOnly && !root)(
      `--config and --from-export refuse ${target.name} with exit 2 and never read it`,
      async () => {
        const config = target.make();
        const doctor = await runCli(['doctor', '--config', config]);
        expect(doctor.code).toBe(2);
        expect(doctor.stderr).toBe(
          `sfsync: invalid configuration in ${config} (1 problem):\n` +
            `  - cannot read the file (${target.says})\n`,
        );
        const exported = target.make();
        const init = await runCli([
          'init',
          '--from-export',
          exported,
          '--config',
          fresh('new.json'),
          '--source-url',
          dead,
          '--mirror-url',
          dead,
        ]);
        expect(init.code).toBe(2);
        expect(init.stderr).toBe(
          `sfsync: cannot read the Connect export ${exported}: ${target.says}\n`,
        );
      },
    );
  }

  it.each([
    [
      'a FIFO',
      () => mkfifo(fresh('fifo.json')),
      'is a FIFO (named pipe), not a regular file',
      'fifo',
    ],
    ['a directory', () => fresh('dir.json'), 'is a directory, not a regular file', 'dir'],
  ] as const)(
    'init --force --config refuses %s (exit 2) and leaves it as it was',
    async (_name, make, says, kind) => {
      const path = make();
      if (kind === 'dir') mkdirSync(path);
      const result = await runCli([
        'init',
        '--force',
        '--config',
        path,
        '--source-url',
        db.sourceUrl,
        '--mirror-url',
        db.mirrorUrl,
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `sfsync: --config ${path}: it ${says}; init writes the config to a regular file\n`,
      );
      expect(kindOf(path)).toBe(kind);
    },
  );

  it('init --force --config replaces the regular file a link names, keeping the link', async () => {
    const file = fresh('config.json');
    writeFileSync(file, '{}\n');
    const path = link(file, fresh('to-config.json'));
    const result = await runCli([
      'init',
      '--force',
      '--config',
      path,
      '--source-url',
      db.sourceUrl,
      '--mirror-url',
      db.mirrorUrl,
    ]);
    expect(result.code).toBe(0);
    expect(kindOf(path)).toBe('link');
    expect(JSON.parse(readFileSync(file, 'utf8')).entities.length).toBeGreaterThan(0);
  });
});
