import { describe, expect, it } from 'vitest';
import { redactCommandLine, redactDeep, redactSecrets } from '../../src/core/redact.js';

// Every form src/core/redact.ts handles, with what must come out: the secret gone, the rest (user,
// host, database, other parameters) kept.
const FORMS: readonly (readonly [form: string, input: string, redacted: string])[] = [
  // URL user info
  [
    'URL password',
    'postgres://app:hunter2@db.example.com:5432/app',
    'postgres://app:***@db.example.com:5432/app',
  ],
  [
    'postgresql:// scheme',
    'postgresql://app:hunter2@db.example.com/app',
    'postgresql://app:***@db.example.com/app',
  ],
  [
    'percent-encoded password',
    'postgres://app:p%40ss%3Aw%2Fd%23%20x@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw @ in the password',
    'postgres://app:p@ss@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    "raw ' in the password",
    "postgres://app:it's@db.example.com/app",
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw " in the password',
    'postgres://app:say"hi"@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw ` in the password',
    'postgres://app:a`b@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw space in the password',
    'postgres://app:two words@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw # in the password',
    'postgres://app:no#1@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw / ? : in the password',
    'postgres://app:a/b?c:d@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'raw :// in the password',
    'postgres://app:x://y@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'unicode password',
    'postgres://app:пароль😀@db.example.com/app',
    'postgres://app:***@db.example.com/app',
  ],
  [
    'no password: unchanged',
    'postgres://app@db.example.com/app',
    'postgres://app@db.example.com/app',
  ],
  ['empty user', 'postgres://:hunter2@db.example.com/app', 'postgres://:***@db.example.com/app'],
  ['IPv6 host', 'postgres://app:hunter2@[::1]:5432/app', 'postgres://app:***@[::1]:5432/app'],
  [
    'several hosts',
    'postgres://app:hunter2@h1:5432,h2:5433/app',
    'postgres://app:***@h1:5432,h2:5433/app',
  ],
  ['other schemes', 'redis://default:hunter2@cache:6379/0', 'redis://default:***@cache:6379/0'],
  // ?password= query parameters
  [
    '?password=',
    'postgres://app@db.example.com/app?password=hunter2&sslmode=require',
    'postgres://app@db.example.com/app?password=***&sslmode=require',
  ],
  [
    '&sslpassword=',
    'postgres://app@db/app?sslmode=verify-full&sslpassword=k3y',
    'postgres://app@db/app?sslmode=verify-full&sslpassword=***',
  ],
  [
    'upper-case key',
    'postgres://app@db/app?PASSWORD=hunter2',
    'postgres://app@db/app?PASSWORD=***',
  ],
  [
    'percent-encoded key',
    'postgres://app@db/app?pass%77ord=hunter2&x=1',
    'postgres://app@db/app?pass%77ord=***&x=1',
  ],
  [
    'percent-encoded value',
    'postgres://app@db/app?password=a%20b%26c',
    'postgres://app@db/app?password=***',
  ],
  [
    'raw # and @ in the value',
    'postgres://app@db:5432/app?password=a#c@d&sslmode=require',
    'postgres://app@db:5432/app?password=***&sslmode=require',
  ],
  [
    'socket URL',
    'postgres:///app?host=/var/run/postgresql&password=hunter2',
    'postgres:///app?host=/var/run/postgresql&password=***',
  ],
  [
    'JDBC URL',
    'jdbc:postgresql://db/app?user=app&password=hunter2&ssl=true',
    'jdbc:postgresql://db/app?user=app&password=***&ssl=true',
  ],
  [
    'user info and query both',
    'postgres://app:one@db/app?password=two',
    'postgres://app:***@db/app?password=***',
  ],
  // libpq key/value strings
  [
    'password=',
    'host=db user=app password=hunter2 dbname=app',
    'host=db user=app password=*** dbname=app',
  ],
  ["password='a b'", "host=db password='a b' dbname=app", 'host=db password=*** dbname=app'],
  ["password='it\\'s'", "host=db password='it\\'s' dbname=app", 'host=db password=*** dbname=app'],
  ["password='it''s'", "host=db password='it''s' dbname=app", 'host=db password=*** dbname=app'],
  ["password='back\\\\slash'", "password='back\\\\slash' dbname=app", 'password=*** dbname=app'],
  [
    'password = spaced',
    'host=db password = hunter2 dbname=app',
    'host=db password = *** dbname=app',
  ],
  ['escaped space unquoted', 'password=a\\ b dbname=app', 'password=*** dbname=app'],
  ['# unquoted', 'password=x#y dbname=app', 'password=*** dbname=app'],
  // libpq takes a quote inside an unquoted value literally, a shell opens a quoted part there: both
  // readings are covered.
  ['a quote inside an unquoted value', "password=it's dbname=app", 'password=***'],
  [
    'sslpassword=',
    "sslkey=/k.pem sslpassword='k 3y' dbname=app",
    'sslkey=/k.pem sslpassword=*** dbname=app',
  ],
  ['empty quoted', "password='' dbname=app", 'password=*** dbname=app'],
  ['an unterminated quote takes the rest', "password='a b dbname=app", 'password=***'],
  // PGPASSWORD=
  ['PGPASSWORD=', 'PGPASSWORD=hunter2 sfsync audit', 'PGPASSWORD=*** sfsync audit'],
  ['PGPASSWORD single-quoted', "PGPASSWORD='a b' sfsync audit", 'PGPASSWORD=*** sfsync audit'],
  ["PGPASSWORD '\\'' idiom", "PGPASSWORD='it'\\''s' sfsync audit", 'PGPASSWORD=*** sfsync audit'],
  [
    'PGPASSWORD double-quoted',
    'PGPASSWORD="say \\"hi\\" `x` $y" sfsync audit',
    'PGPASSWORD=*** sfsync audit',
  ],
  [
    'export PGPASSWORD',
    'export PGPASSWORD=hunter2; sfsync audit',
    'export PGPASSWORD=*** sfsync audit',
  ],
  [
    'other *_PASSWORD variables',
    'POSTGRES_PASSWORD=hunter2 docker run',
    'POSTGRES_PASSWORD=*** docker run',
  ],
  // JSON
  [
    '"password": in JSON',
    '{"user":"app","password":"hu\\"nter2","host":"db"}',
    '{"user":"app","password":"***","host":"db"}',
  ],
  // http(s): the path, query and user info of a webhook URL are its secret
  [
    'webhook path',
    'https://hooks.slack.com/services/T000/B000/XXXX',
    'https://hooks.slack.com/***',
  ],
  ['webhook query', 'https://discord.com/api/webhooks/1/tok?wait=true', 'https://discord.com/***'],
  ['query without a path', 'https://example.com?token=x', 'https://example.com/***'],
  ['basic auth', 'https://push:s3cret@push.example.com:9091', 'https://***@push.example.com:9091'],
  [
    'basic auth and a path',
    'http://push:s3cret@push.example.com/prefix',
    'http://***@push.example.com/***',
  ],
  ['a token as the user', 'https://ghp_token@example.com/x', 'https://***@example.com/***'],
  ['an origin: unchanged', 'http://127.0.0.1:9091', 'http://127.0.0.1:9091'],
  ['an origin with /: unchanged', 'http://127.0.0.1:9091/', 'http://127.0.0.1:9091/'],
  // URLs inside longer messages
  [
    'in a message',
    'cannot connect to postgres://app:hunter2@db/app: timeout',
    'cannot connect to postgres://app:***@db/app: timeout',
  ],
  [
    'raw space in a message',
    "cannot parse 'postgres://app:two words@db/app' here",
    "cannot parse 'postgres://app:***@db/app' here",
  ],
  [
    'two URLs on one line',
    'sfsync repair --mirror-url postgres://a:x@h1/d --source-url=postgres://b:y@h2/d',
    'sfsync repair --mirror-url postgres://a:***@h1/d --source-url=postgres://b:***@h2/d',
  ],
  [
    'a query value ends at a space in a message',
    'sfsync repair --mirror-url postgres://app@h1/d?password=x ' +
      '--notify https://hooks.slack.com/services/T/B/X --yes',
    'sfsync repair --mirror-url postgres://app@h1/d?password=*** ' +
      '--notify https://hooks.slack.com/*** --yes',
  ],
  [
    'each line on its own',
    'postgres://a:x@h1/d\nmail ops@corp.example',
    'postgres://a:***@h1/d\nmail ops@corp.example',
  ],
  [
    "fetch's credentials error",
    'Request cannot be constructed from a URL that includes credentials: ' +
      'https://u:p@h.example/secret/path',
    'Request cannot be constructed from a URL that includes credentials: https://***@h.example/***',
  ],
  [
    'punctuation after a webhook URL',
    "unknown option '--notfy=https://hooks.slack.com/services/T/B/X'.",
    "unknown option '--notfy=https://hooks.slack.com/***'.",
  ],
  [
    'webhook in a warning',
    'warning: --notify: https://hooks.slack.com/services/T/B/X failed',
    'warning: --notify: https://hooks.slack.com/*** failed',
  ],
  // left alone
  [
    "PostgreSQL's message",
    'password authentication failed for user "app"',
    'password authentication failed for user "app"',
  ],
  ['an e-mail address', 'mail ops@corp.example', 'mail ops@corp.example'],
  ['a file URL in a stack trace', 'at file:///srv/app/x.js:1:2', 'at file:///srv/app/x.js:1:2'],
];

describe('redactSecrets', () => {
  it.each(FORMS)('%s', (_form, input, redacted) => {
    expect(redactSecrets(input)).toBe(redacted);
    // Redacting twice changes nothing (the journal redacts on the way in and again on the way out).
    expect(redactSecrets(redacted)).toBe(redacted);
  });
});

/**
 * The boundaries of the scanning: where a value, a URL or a reading of it starts and ends.
 * Each row is one rule, with its exact redacted text (absent: the text stays as it is).
 */
const BOUNDARIES: readonly { rule: string; input: string; redacted?: string }[] = [
  // Which names are secret
  {
    rule: 'only a parameter name that ends in "password" names a secret',
    input: 'postgres://app@db/app?passwordfile=/k&sslmode=require',
  },
  {
    rule: 'a + in a parameter name is a space, as a URL parser reads it: password+ is not password',
    input: 'postgres://app@db/app?password+=x',
  },
  {
    rule: 'a JSON key that ends in "password" names a secret, whatever comes before',
    input: '{"sslpassword":"k3y","db_password":"x"}',
    redacted: '{"sslpassword":"***","db_password":"***"}',
  },
  {
    rule: 'names are matched whatever their case, each of adjacent assignments redacted',
    input: "PassWord=a Sslpassword='b c' PGPASSWORD=d",
    redacted: 'PassWord=*** Sslpassword=*** PGPASSWORD=***',
  },
  // Where a value ends
  {
    rule: 'an empty value at the end of the text stays empty',
    input: 'host=db password=',
  },
  {
    rule: 'a quote at the very end of the text opens a value that runs to the end',
    input: "host=db password='",
    redacted: 'host=db password=***',
  },
  {
    rule: 'a backslash at the very end of the text is part of the value',
    input: 'password=abc\\',
    redacted: 'password=***',
  },
  {
    rule: 'an unquoted JSON value runs to the next comma',
    input: '{"password": 12345, "user": "app"}',
    redacted: '{"password": ***, "user": "app"}',
  },
  {
    rule: 'an unquoted JSON value runs to the closing brace',
    input: '[{"password":null}]',
    redacted: '[{"password":***}]',
  },
  {
    rule: 'a doubled quote inside a double-quoted value does not end it',
    input: '"password": "it""s" visible',
    redacted: '"password": "***" visible',
  },
  {
    rule: 'an assignment inside a value is part of it, its unclosed quote included',
    input: `PGPASSWORD="x password='y" visible`,
    redacted: 'PGPASSWORD=*** visible',
  },
  {
    rule: 'an empty password parameter stays empty',
    input: 'postgres://app@db/app?password=&sslmode=require',
  },
  // Which URLs are web URLs
  {
    rule: 'a scheme that ends in https is read as a web URL too: a webhook glued to a word is one',
    input: 'git+https://user:tok@github.com/org/repo xhttps://hooks.slack.com/services/T/B/X',
    redacted: 'git+https://***@github.com/*** xhttps://hooks.slack.com/***',
  },
  {
    rule: 'a scheme that only starts with http is not a web URL: its password goes, its path stays',
    input: 'http+unix://user:pw@%2Frun%2Fd.sock/v1/x',
    redacted: 'http+unix://user:***@%2Frun%2Fd.sock/v1/x',
  },
  {
    rule: 'a scheme that ends in https is read as a database URL too: a / in its password goes',
    input: 'git+https://user:p/ss@github.com/org/repo',
    redacted: 'git+https://user:***',
  },
  {
    rule: 'an http:// URL after a database URL on one line is read as a URL of its own',
    input: 'postgres://a@h1/d http://u:p@h2/x',
    redacted: 'postgres://a@h1/d http://***@h2/***',
  },
  {
    rule: 'only a bare / after the host stays: a bare ? is redacted as a path',
    input: 'https://example.com?',
    redacted: 'https://example.com/***',
  },
  // Where a URL starts
  {
    rule: 'a scheme after dots is a scheme: the URL is read',
    input: 'see: ...postgres://app:hunter2@db/app',
    redacted: 'see: ...postgres://app:***@db/app',
  },
  {
    rule: 'a scheme after a digit is a scheme from its first letter',
    input: 'at 1postgres://a:x@h/d',
    redacted: 'at 1postgres://a:***@h/d',
  },
  {
    rule: 'a web scheme after a dash or a plus is a web URL',
    input: '-https://hooks.slack.com/services/T/B/X +http://u:p@h/x',
    redacted: '-https://hooks.slack.com/*** +http://***@h/***',
  },
  {
    rule: 'a webhook inside a database URL, after a ;, keeps no path',
    input: 'postgres://a@h1/d;https://hooks.slack.com/services/T/B/X',
    redacted: 'postgres://a@h1/d;https://hooks.slack.com/***',
  },
  {
    rule: 'a database URL inside a webhook line, after its path, keeps no password',
    input: 'https://h.example/x y;postgres://a:pw@h/d',
    redacted: 'https://h.example/*** y;postgres://a:***@h/d',
  },
  // Which @ ends the user info
  {
    rule: 'an @ right after :// ends an empty user info, whatever @ a password value holds',
    input: 'postgres://@h:5432/d?password=a@b',
    redacted: 'postgres://@h:5432/d?password=***',
  },
  {
    rule: 'with the only @ in a password value, it may end a raw password: all before it goes',
    input: 'postgres://app:pw/d?password=a@host/db',
    redacted: 'postgres://app:***',
  },
  {
    rule: 'a database URL after another keeps no part of a password that may end at a value @',
    input: 'postgres://a@h1/d;postgres://app:pw/d?password=a@host/db',
    redacted: 'postgres://a@h1/d;postgres://app:***',
  },
  {
    rule: 'with every @ in password values, the last may end a raw password: all before it goes',
    input: 'postgres://app:x/d?password=a@b&sslpassword=c@d',
    redacted: 'postgres://app:***',
  },
  {
    rule: 'an @ after a password value may end a raw password that runs through that value',
    input: 'postgres://u:pw@h/d?password=x&a=b@c',
    redacted: 'postgres://u:***@c',
  },
  // Where readings overlap
  {
    rule: 'two readings that overlap are redacted once, to the end of the longer',
    input: 'postgres://app:pw/d?password=a@b&sslmode=require',
    redacted: 'postgres://app:***&sslmode=require',
  },
  {
    rule: 'two readings that touch are redacted once',
    input: 'postgres://app:pw/d?password=@x',
    redacted: 'postgres://app:***',
  },
  // Assignments and URLs on one line
  {
    rule: 'a URL password that looks like an assignment is read with its URL',
    input: 'postgres://app:password=x@h/d',
    redacted: 'postgres://app:***@h/d',
  },
  {
    rule: 'a URL password that looks like an assignment is read with its URL, parameters after it',
    input: 'postgres://a:password=z@h/d?password=y',
    redacted: 'postgres://a:***@h/d?password=***',
  },
  {
    rule: 'an assignment in a password value, past an @ that may end a password, is read with it',
    input: 'postgres://app:pw/d?password=a@password=c&sslmode=require',
    redacted: 'postgres://app:***&sslmode=require',
  },
  {
    rule: 'in a line of many URLs, an assignment inside a password is read with its URL',
    input: [
      'postgres://a:1@h/d postgres://b:2@h/d',
      "postgres://c:x/d?password=p&note=b password='c&sslpassword=q@h/d",
      'postgres://e:5@h/d postgres://f:6@h/d',
    ].join(' '),
    redacted: [
      'postgres://a:***@h/d postgres://b:***@h/d',
      // Its password may run to the @ in sslpassword's value, which runs on to the space.
      'postgres://c:***',
      'postgres://e:***@h/d postgres://f:***@h/d',
    ].join(' '),
  },
  {
    rule: 'of two readings that start at one place, the longer one is what is redacted',
    input: 'https://PGPASSWORD=?x.',
    redacted: 'https://PGPASSWORD=***',
  },
  {
    rule: 'an assignment before a URL is redacted',
    input: 'password=x postgres://a:y@h/d',
    redacted: 'password=*** postgres://a:***@h/d',
  },
  {
    rule: 'an assignment after a URL on its line is redacted',
    input: 'postgres://a@h/d password=y',
    redacted: 'postgres://a@h/d password=***',
  },
  {
    rule: 'an assignment between two URLs is redacted',
    input: 'postgres://a:x@h/d password=y postgres://b:z@h/d',
    redacted: 'postgres://a:***@h/d password=*** postgres://b:***@h/d',
  },
  {
    rule: 'an &password= outside any URL is an assignment',
    input: 'curl -d user=app&password=x',
    redacted: 'curl -d user=app&password=***',
  },
];

describe('redactSecrets at the boundaries', () => {
  it.each(BOUNDARIES)('$rule', ({ input, redacted = input }) => {
    expect(redactSecrets(input)).toBe(redacted);
    expect(redactSecrets(redacted)).toBe(redacted);
  });
});

describe('redactCommandLine', () => {
  it('keeps no part of the password of a second URL in a list, if it may end at a value @', () => {
    const argv = ['--urls=postgres://a@h1/d,postgres://app:pw/d?password=a@host/db'];
    expect(redactCommandLine(argv)).toBe('--urls=postgres://a@h1/d,postgres://app:***');
  });

  it('redacts every argument on its own, database and webhook URLs alike', () => {
    const argv = [
      'sfsync',
      'repair',
      '--mirror-url',
      'postgres://app:a b@db.example.com/app',
      '--source-url=postgres://app:c d@src.example.com/app',
      '--notify',
      'https://hooks.slack.com/services/T0/B0/XXXX',
      '--pushgateway=https://u:p@push.example.com',
    ];
    expect(
      redactCommandLine([
        ...argv,
        '--source-url=postgres://app@src/app?password=a b#c@d&sslmode=require',
      ]),
    ).toBe(
      'sfsync repair --mirror-url postgres://app:***@db.example.com/app ' +
        '--source-url=postgres://app:***@src.example.com/app ' +
        '--notify https://hooks.slack.com/*** ' +
        '--pushgateway=https://***@push.example.com ' +
        '--source-url=postgres://app@src/app?password=***&sslmode=require',
    );
  });
  it('reads every URL in a list-valued argument, a webhook after a database URL too', () => {
    expect(
      redactCommandLine(['--urls=postgres://a:pw@h/d,https://hooks.slack.com/services/T/B/X']),
    ).toBe('--urls=postgres://a:***@h/d,https://hooks.slack.com/***');
  });
  it('reads an argument as one URL: its path runs to its end, spaces and punctuation in', () => {
    const argument = 'https://hooks.slack.com/services/T/B/X Y.';
    expect(redactCommandLine(['--notify', argument])).toBe('--notify https://hooks.slack.com/***');
  });
});

describe('redactDeep', () => {
  it('redacts every string, and the value of every key that names a password', () => {
    const value = {
      error: 'cannot connect to postgres://app:x@db/app',
      password: 'plain',
      nested: [{ sslPassword: 'k' }, { PGPASSWORD: 'p', count: 3, at: new Date(0) }],
      hook: 'https://hooks.slack.com/services/T/B/X',
    };
    expect(redactDeep(value)).toEqual({
      error: 'cannot connect to postgres://app:***@db/app',
      password: '***',
      nested: [{ sslPassword: '***' }, { PGPASSWORD: '***', count: 3, at: new Date(0) }],
      hook: 'https://hooks.slack.com/***',
    });
  });
  it('hides every character of a JSON password whose closing quote was cut off', () => {
    expect(redactSecrets('{"password":"hunter2')).toBe('{"password":"***');
    expect(redactSecrets('{"password":"hunter2"')).toBe('{"password":"***"');
    expect(redactSecrets('{"password":"')).toBe('{"password":"');
  });

  it('hides a password key holding a number, which JSON and YAML allow', () => {
    expect(redactDeep({ password: 12345678, port: 5432, ssl: { password: 7n } })).toEqual({
      password: '***',
      port: 5432,
      ssl: { password: '***' },
    });
  });

  it('keeps a password key that holds no string as it is, its strings redacted', () => {
    const value = {
      password: null,
      sslpassword: { file: 'postgres://a:b@c/d' },
      passwordFile: '/run/pg',
    };
    expect(redactDeep(value)).toEqual({
      password: null,
      sslpassword: { file: 'postgres://a:***@c/d' },
      passwordFile: '/run/pg',
    });
  });
});
