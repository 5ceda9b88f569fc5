import { describe, expect, it } from 'vitest';
import { redactCommandLine, redactDeep, redactSecrets } from '../../src/core/redact.js';

// Every form src/core/redact.ts handles, with what must come out: the secret gone, the rest (user, host, database, other parameters) kept.
const FORMS: readonly (readonly [form: string, input: string, redacted: string])[] = [
  // URL user info
  ['URL password', 'postgres://app:hunter2@db.example.com:5432/app', 'postgres://app:***@db.example.com:5432/app'],
  ['postgresql:// scheme', 'postgresql://app:hunter2@db.example.com/app', 'postgresql://app:***@db.example.com/app'],
  ['percent-encoded password', 'postgres://app:p%40ss%3Aw%2Fd%23%20x@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw @ in the password', 'postgres://app:p@ss@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ["raw ' in the password", "postgres://app:it's@db.example.com/app", 'postgres://app:***@db.example.com/app'],
  ['raw " in the password', 'postgres://app:say"hi"@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw ` in the password', 'postgres://app:a`b@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw space in the password', 'postgres://app:two words@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw # in the password', 'postgres://app:no#1@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw / ? : in the password', 'postgres://app:a/b?c:d@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['raw :// in the password', 'postgres://app:x://y@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['unicode password', 'postgres://app:пароль😀@db.example.com/app', 'postgres://app:***@db.example.com/app'],
  ['no password: unchanged', 'postgres://app@db.example.com/app', 'postgres://app@db.example.com/app'],
  ['empty user', 'postgres://:hunter2@db.example.com/app', 'postgres://:***@db.example.com/app'],
  ['IPv6 host', 'postgres://app:hunter2@[::1]:5432/app', 'postgres://app:***@[::1]:5432/app'],
  ['several hosts', 'postgres://app:hunter2@h1:5432,h2:5433/app', 'postgres://app:***@h1:5432,h2:5433/app'],
  ['other schemes', 'redis://default:hunter2@cache:6379/0', 'redis://default:***@cache:6379/0'],
  // ?password= query parameters
  ['?password=', 'postgres://app@db.example.com/app?password=hunter2&sslmode=require', 'postgres://app@db.example.com/app?password=***&sslmode=require'],
  ['&sslpassword=', 'postgres://app@db/app?sslmode=verify-full&sslpassword=k3y', 'postgres://app@db/app?sslmode=verify-full&sslpassword=***'],
  ['upper-case key', 'postgres://app@db/app?PASSWORD=hunter2', 'postgres://app@db/app?PASSWORD=***'],
  ['percent-encoded key', 'postgres://app@db/app?pass%77ord=hunter2&x=1', 'postgres://app@db/app?pass%77ord=***&x=1'],
  ['percent-encoded value', 'postgres://app@db/app?password=a%20b%26c', 'postgres://app@db/app?password=***'],
  ['raw # and @ in the value', 'postgres://app@db:5432/app?password=a#c@d&sslmode=require', 'postgres://app@db:5432/app?password=***&sslmode=require'],
  ['socket URL', 'postgres:///app?host=/var/run/postgresql&password=hunter2', 'postgres:///app?host=/var/run/postgresql&password=***'],
  ['JDBC URL', 'jdbc:postgresql://db/app?user=app&password=hunter2&ssl=true', 'jdbc:postgresql://db/app?user=app&password=***&ssl=true'],
  ['user info and query both', 'postgres://app:one@db/app?password=two', 'postgres://app:***@db/app?password=***'],
  // libpq key/value strings
  ['password=', 'host=db user=app password=hunter2 dbname=app', 'host=db user=app password=*** dbname=app'],
  ["password='a b'", "host=db password='a b' dbname=app", 'host=db password=*** dbname=app'],
  ["password='it\\'s'", "host=db password='it\\'s' dbname=app", 'host=db password=*** dbname=app'],
  ["password='it''s'", "host=db password='it''s' dbname=app", 'host=db password=*** dbname=app'],
  ["password='back\\\\slash'", "password='back\\\\slash' dbname=app", 'password=*** dbname=app'],
  ['password = spaced', 'host=db password = hunter2 dbname=app', 'host=db password = *** dbname=app'],
  ['escaped space unquoted', 'password=a\\ b dbname=app', 'password=*** dbname=app'],
  ['# unquoted', 'password=x#y dbname=app', 'password=*** dbname=app'],
  // libpq takes a quote inside an unquoted value literally, a shell opens a quoted part there: both readings are covered.
  ['a quote inside an unquoted value', "password=it's dbname=app", 'password=***'],
  ['sslpassword=', "sslkey=/k.pem sslpassword='k 3y' dbname=app", 'sslkey=/k.pem sslpassword=*** dbname=app'],
  ['empty quoted', "password='' dbname=app", 'password=*** dbname=app'],
  ['an unterminated quote takes the rest', "password='a b dbname=app", 'password=***'],
  // PGPASSWORD=
  ['PGPASSWORD=', 'PGPASSWORD=hunter2 sfsync audit', 'PGPASSWORD=*** sfsync audit'],
  ['PGPASSWORD single-quoted', "PGPASSWORD='a b' sfsync audit", 'PGPASSWORD=*** sfsync audit'],
  ["PGPASSWORD '\\'' idiom", "PGPASSWORD='it'\\''s' sfsync audit", 'PGPASSWORD=*** sfsync audit'],
  ['PGPASSWORD double-quoted', 'PGPASSWORD="say \\"hi\\" `x` $y" sfsync audit', 'PGPASSWORD=*** sfsync audit'],
  ['export PGPASSWORD', 'export PGPASSWORD=hunter2; sfsync audit', 'export PGPASSWORD=*** sfsync audit'],
  ['other *_PASSWORD variables', 'POSTGRES_PASSWORD=hunter2 docker run', 'POSTGRES_PASSWORD=*** docker run'],
  // JSON
  ['"password": in JSON', '{"user":"app","password":"hu\\"nter2","host":"db"}', '{"user":"app","password":"***","host":"db"}'],
  // http(s): the path, query and user info of a webhook URL are its secret
  ['webhook path', 'https://hooks.slack.com/services/T000/B000/XXXX', 'https://hooks.slack.com/***'],
  ['webhook query', 'https://discord.com/api/webhooks/1/tok?wait=true', 'https://discord.com/***'],
  ['query without a path', 'https://example.com?token=x', 'https://example.com/***'],
  ['basic auth', 'https://push:s3cret@push.example.com:9091', 'https://***@push.example.com:9091'],
  ['basic auth and a path', 'http://push:s3cret@push.example.com/prefix', 'http://***@push.example.com/***'],
  ['a token as the user', 'https://ghp_token@example.com/x', 'https://***@example.com/***'],
  ['an origin: unchanged', 'http://127.0.0.1:9091', 'http://127.0.0.1:9091'],
  ['an origin with /: unchanged', 'http://127.0.0.1:9091/', 'http://127.0.0.1:9091/'],
  // URLs inside longer messages
  ['in a message', 'cannot connect to postgres://app:hunter2@db/app: timeout', 'cannot connect to postgres://app:***@db/app: timeout'],
  ['raw space in a message', "cannot parse 'postgres://app:two words@db/app' here", "cannot parse 'postgres://app:***@db/app' here"],
  [
    'two URLs on one line',
    'sfsync repair --mirror-url postgres://a:x@h1/d --source-url=postgres://b:y@h2/d',
    'sfsync repair --mirror-url postgres://a:***@h1/d --source-url=postgres://b:***@h2/d',
  ],
  [
    'a query value ends at a space in a message',
    'sfsync repair --mirror-url postgres://app@h1/d?password=x --notify https://hooks.slack.com/services/T/B/X --yes',
    'sfsync repair --mirror-url postgres://app@h1/d?password=*** --notify https://hooks.slack.com/*** --yes',
  ],
  ['each line on its own', 'postgres://a:x@h1/d\nmail ops@corp.example', 'postgres://a:***@h1/d\nmail ops@corp.example'],
  [
    "fetch's credentials error",
    'Request cannot be constructed from a URL that includes credentials: https://u:p@h.example/secret/path',
    'Request cannot be constructed from a URL that includes credentials: https://***@h.example/***',
  ],
  [
    'punctuation after a webhook URL',
    "unknown option '--notfy=https://hooks.slack.com/services/T/B/X'.",
    "unknown option '--notfy=https://hooks.slack.com/***'.",
  ],
  ['webhook in a warning', 'warning: --notify: https://hooks.slack.com/services/T/B/X failed', 'warning: --notify: https://hooks.slack.com/*** failed'],
  // left alone
  ["PostgreSQL's message", 'password authentication failed for user "app"', 'password authentication failed for user "app"'],
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

describe('redactCommandLine', () => {
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
    expect(redactCommandLine([...argv, '--source-url=postgres://app@src/app?password=a b#c@d&sslmode=require'])).toBe(
      'sfsync repair --mirror-url postgres://app:***@db.example.com/app --source-url=postgres://app:***@src.example.com/app --notify https://hooks.slack.com/*** --pushgateway=https://***@push.example.com --source-url=postgres://app@src/app?password=***&sslmode=require',
    );
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
});
