// Input format descriptors shared by the line decoder, the CLI and the daemon (spec 05 §4).
// Types and config parsing only: no decoding happens here.

/** How RFC 3164 timestamps (which carry no zone or year) and a message BOM are treated. */
export interface SyslogConfig {
  /** Offset from UTC, in minutes, used to read RFC 3164 wall-clock times; default 0. */
  defaultTzOffsetMinutes: number;
  /** Remove one leading U+FEFF from the message (RFC 5424 marks UTF-8 messages with it); default true. */
  stripBom: boolean;
}

/** The format of input lines; `auto` (JSON, then syslog, then plain) is the default everywhere. */
export type InputFormat =
  | { kind: 'auto'; syslog?: SyslogConfig }
  | { kind: 'json' }
  | { kind: 'syslog'; syslog?: SyslogConfig }
  | { kind: 'logfmt' }
  | { kind: 'cef' }
  | { kind: 'plain' };

/** Syslog settings used when an `auto` or `syslog` format carries none: UTC and BOM stripping. */
export const DEFAULT_SYSLOG_CONFIG: Readonly<SyslogConfig> = Object.freeze({ defaultTzOffsetMinutes: 0, stripBom: true });

/** Offsets beyond ±14:00 do not exist in any time zone (UTC+14 is the easternmost). */
const MAX_TZ_OFFSET_MINUTES = 14 * 60;

/**
 * Parses a `--syslog-tz` value of the form `+HH:MM` / `-HH:MM` into minutes east of UTC, or returns undefined
 * when the text has any other shape (`+0530`, `5:30`, `Z` are rejected so typos do not pass silently).
 *
 * @example parseSyslogTzOffset('+05:30') // 330
 */
export function parseSyslogTzOffset(text: string): number | undefined {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59 || minutes > MAX_TZ_OFFSET_MINUTES) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

/** The names `--input-format` accepts, in the order help texts list them. */
export const INPUT_FORMAT_NAMES = ['auto', 'json', 'syslog', 'logfmt', 'cef', 'plain'] as const;

/**
 * The format named `name` (one of {@link INPUT_FORMAT_NAMES}), with `syslog` settings for the formats that read
 * syslog (`auto`, `syslog`); undefined for any other name, so the caller can name the flag in its error.
 *
 * @example inputFormatNamed('syslog', { defaultTzOffsetMinutes: 60, stripBom: true })
 */
export function inputFormatNamed(name: string, syslog: SyslogConfig = DEFAULT_SYSLOG_CONFIG): InputFormat | undefined {
  switch (name) {
    case 'auto':
    case 'syslog':
      return { kind: name, syslog: { ...syslog } };
    case 'json':
    case 'logfmt':
    case 'cef':
    case 'plain':
      return { kind: name };
    default:
      return undefined;
  }
}
