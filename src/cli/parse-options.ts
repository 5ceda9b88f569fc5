import { SIM_FAULT_CODES, type SimFaultCode } from '../sim/fault-texts.js';
import { InvalidArgumentError, Option } from 'commander';
import { MISMATCH_CLASSES, type MismatchClass } from '../core/audit/types.js';
import { parseDuration } from '../core/duration.js';
import { parseShard, type Shard } from '../core/methods/shard.js';

/**
 * commander argument parsers shared by the commands; each throws commander's error so usage
 * problems exit 2.
 */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseDurationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError('expected a duration such as 90s, 30m, 2h or 1d');
  return ms;
}

/** A duration, or 0 for "no timeout". */
export function parseTimeoutOption(value: string): number {
  return value.trim() === '0' ? 0 : parseDurationOption(value);
}

/**
 * A probability for a simulated failure rate: 0 up to, not including, 1 (at 1 Connect would never
 * succeed).
 */
export function parseRate(value: string): number {
  const rate = Number(value);
  if (!(rate >= 0 && rate < 1))
    throw new InvalidArgumentError('expected a probability from 0 to 1 (below 1)');
  return rate;
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function parseShardOption(value: string): Shard {
  const shard = parseShard(value);
  if (typeof shard === 'string') throw new InvalidArgumentError(shard);
  return shard;
}

export function parseClasses(value: string): MismatchClass[] {
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = list.filter((v) => !(MISMATCH_CLASSES as readonly string[]).includes(v));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown class ${unknown.join(', ')}; choose from ${MISMATCH_CLASSES.join(', ')}`,
    );
  return list as MismatchClass[];
}

/** A duration option whose help shows its default as written (`30m`), not in milliseconds. */
/**
 * `--fail-on`, as audit and merge take it: the classes that make the exit code 1, all of them by
 * default.
 */
export function failOnOption(): Option {
  return new Option(
    '--fail-on <classes>',
    `comma-separated classes that make the exit code 1 (${MISMATCH_CLASSES.join(',')})`,
  )
    .argParser(parseClasses)
    .default([...MISMATCH_CLASSES], 'all of them');
}

export function durationOption(
  flags: string,
  description: string,
  defaultText: string,
  parse = parseDurationOption,
): Option {
  return new Option(flags, description).argParser(parse).default(parse(defaultText), defaultText);
}

/**
 * An option that may be given several times, each value added to a list (empty by default: "all").
 */
export function repeatableOption(flags: string, description: string, whenAbsent = 'all'): Option {
  return new Option(flags, description).argParser(collect).default([], whenAbsent);
}

/** `--fail-codes` of sim and demo: the simulated failures, comma-separated, or "all". */
export function failCodesOption(): Option {
  return new Option(
    '--fail-codes <codes>',
    `the failures to draw from, evenly, comma-separated, or "all": ${SIM_FAULT_CODES.join(', ')}`,
  )
    .argParser(parseFailCodes)
    .default(['UNABLE_TO_LOCK_ROW'], 'UNABLE_TO_LOCK_ROW');
}

function parseFailCodes(value: string): SimFaultCode[] {
  if (value.trim() === 'all') return [...SIM_FAULT_CODES];
  const codes = value.split(',').map((code) => code.trim());
  const unknown = codes.filter((code) => !(SIM_FAULT_CODES as string[]).includes(code));
  if (unknown.length > 0) {
    const choices = `${SIM_FAULT_CODES.join(', ')} or all`;
    throw new InvalidArgumentError(`unknown failure ${unknown.join(', ')}; choose from ${choices}`);
  }
  return codes as SimFaultCode[];
}

/** --stale, the same for audit, repair and backfill. */
export function staleOption(): Option {
  return durationOption(
    '--stale <duration>',
    'unsynced rows older than this are stuck (e.g. 90s, 30m, 2h)',
    '30m',
  );
}

/** --details: how much the human formats list per entity (the machine formats list everything). */
export function detailsOption(what: 'mismatches' | 'actions'): Option {
  return new Option(
    '--details <n>',
    `${what} listed per entity in the table and markdown output (json and csv list all)`,
  )
    .argParser(parseCount)
    .default(20);
}
