import { describe, expect, it } from 'vitest';
import { describeUrl } from '../../src/db/driver/describe-url.js';

describe('describeUrl', () => {
  it('keeps host, port and database but never the user or password', () => {
    const text = describeUrl(
      'postgres://app_user:s3cr3t-pw@db.example.com:6543/app_db?sslmode=require&password=other',
    );
    expect(text).toBe('db.example.com:6543/app_db');
    expect(text).not.toMatch(/s3cr3t|app_user|other/);
  });

  it('survives a URL it cannot parse without echoing it', () => {
    expect(describeUrl('not a url with password=hunter2')).toBe(
      'a URL that is not a valid postgres:// URL',
    );
  });

  it('names a socket connection', () => {
    expect(describeUrl('postgresql:///app?host=/var/run/postgresql')).toBe(
      '/var/run/postgresql/app',
    );
  });
});
