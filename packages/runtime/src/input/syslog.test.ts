import { describe, expect, it } from 'vitest';
import { decodeLine, type DecodedLine } from './decode-line.js';
import type { InputFormat } from './input-format.js';
import { ParseFailure } from './parse-failure.js';

/** 2024-06-01T00:00:00Z: a fixed "now" so RFC 3164 years are deterministic. */
const JUNE_2024 = () => Date.UTC(2024, 5, 1);
const SYSLOG: InputFormat = { kind: 'syslog' };

function syslog(line: string, format: InputFormat = SYSLOG, clock = JUNE_2024): Record<string, unknown> {
  const decoded = decodeLine(line, format, false, clock);
  if (decoded instanceof ParseFailure) throw new Error(`unexpected failure: ${decoded.message}`);
  return decoded.value as Record<string, unknown>;
}

describe('syslog: RFC 3164', () => {
  it('parses the spec example with PRI, tag and message (05 §11 test 3)', () => {
    const event = syslog('<38>Apr 25 14:30:00 web01 sudo: admin : TTY=pts/0 ; COMMAND=/bin/bash');
    expect(event).toEqual({
      timestamp: '2024-04-25T14:30:00+00:00',
      hostname: 'web01',
      appname: 'sudo',
      facility: 'LOG_AUTH',
      severity: 'SEV_INFO',
      _raw: 'admin : TTY=pts/0 ; COMMAND=/bin/bash',
    });
    expect(Object.keys(event)).toEqual(['timestamp', 'hostname', 'appname', 'facility', 'severity', '_raw']);
  });

  it('parses the RFC 3164 §5.4 examples', () => {
    expect(syslog("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toEqual({
      timestamp: '2024-10-11T22:14:15+00:00',
      hostname: 'mymachine',
      appname: 'su',
      facility: 'LOG_AUTH',
      severity: 'SEV_CRIT',
      _raw: "'su root' failed for lonvick on /dev/pts/8",
    });
    // Space-padded day, and a first message word that is not a tag.
    expect(syslog('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!')).toEqual({
      timestamp: '2024-02-05T17:32:18+00:00',
      hostname: '10.0.0.99',
      facility: 'LOG_USER',
      severity: 'SEV_NOTICE',
      _raw: 'Use the BFG!',
    });
    // No timestamp right after the PRI: the whole rest is the message.
    expect(syslog("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")).toEqual({
      facility: 'LOG_KERN',
      severity: 'SEV_EMERG',
      _raw: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
    });
  });

  it('reads name[pid]: tags', () => {
    const event = syslog(
      '<86>Jan  3 06:25:01 bastion sshd[12345]: Failed password for invalid user admin from 203.0.113.5 port 52314 ssh2',
    );
    expect(event).toMatchObject({ hostname: 'bastion', appname: 'sshd', procid: '12345', facility: 'LOG_AUTHPRIV', severity: 'SEV_INFO' });
    expect(event._raw).toBe('Failed password for invalid user admin from 203.0.113.5 port 52314 ssh2');
    expect(syslog('<78>May 10 03:17:01 web02 CRON[40417]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)')).toMatchObject({
      appname: 'CRON',
      procid: '40417',
      facility: 'LOG_CRON',
      _raw: '(root) CMD (cd / && run-parts --report /etc/cron.hourly)',
    });
    expect(syslog('<22>Mar  1 12:00:00 mx1 postfix/smtpd[2211]: connect from unknown[198.51.100.7]')).toMatchObject({
      hostname: 'mx1',
      appname: 'postfix/smtpd',
      procid: '2211',
      facility: 'LOG_MAIL',
    });
  });

  it('takes a tag right after the timestamp as the tag, not the hostname', () => {
    expect(syslog('<30>Jul  4 09:00:00 systemd[1]: Started Session 42 of user root.')).toEqual({
      timestamp: '2024-07-04T09:00:00+00:00',
      appname: 'systemd',
      procid: '1',
      facility: 'LOG_DAEMON',
      severity: 'SEV_INFO',
      _raw: 'Started Session 42 of user root.',
    });
  });

  it('accepts an RFC 3339 timestamp in a 3164-style line (rsyslog high-precision format)', () => {
    expect(syslog('<30>2024-01-15T10:30:00.123456+01:00 host01 systemd[1]: Started Session 42.')).toMatchObject({
      timestamp: '2024-01-15T10:30:00.123456+01:00',
      hostname: 'host01',
      appname: 'systemd',
      _raw: 'Started Session 42.',
    });
  });

  it('parses lines without PRI (explicit syslog mode)', () => {
    expect(syslog('Oct 11 22:14:15 mymachine su: test')).toEqual({
      timestamp: '2024-10-11T22:14:15+00:00',
      hostname: 'mymachine',
      appname: 'su',
      _raw: 'test',
    });
  });

  it('infers the year across New Year', () => {
    const lateDecember = () => Date.UTC(2024, 11, 31, 23, 59);
    const earlyJanuary = () => Date.UTC(2025, 0, 1, 0, 1);
    expect(syslog('<13>Jan  1 00:00:01 h a: x', SYSLOG, lateDecember).timestamp).toBe('2025-01-01T00:00:01+00:00');
    expect(syslog('<13>Dec 31 23:59:59 h a: x', SYSLOG, earlyJanuary).timestamp).toBe('2024-12-31T23:59:59+00:00');
    expect(syslog('<13>Jun 15 12:00:00 h a: x', SYSLOG, earlyJanuary).timestamp).toBe('2025-06-15T12:00:00+00:00');
  });

  it('reads wall times in the configured offset', () => {
    const india: InputFormat = { kind: 'syslog', syslog: { defaultTzOffsetMinutes: 330, stripBom: true } };
    const newYork: InputFormat = { kind: 'syslog', syslog: { defaultTzOffsetMinutes: -300, stripBom: true } };
    expect(syslog('<13>Oct 11 22:14:15 h a: x', india).timestamp).toBe('2024-10-11T22:14:15+05:30');
    expect(syslog('<13>Oct 11 22:14:15 h a: x', newYork).timestamp).toBe('2024-10-11T22:14:15-05:00');
  });

  it('does not take an impossible date for a timestamp', () => {
    expect(syslog('<13>Feb 30 10:00:00 h a: x')).toEqual({
      facility: 'LOG_USER',
      severity: 'SEV_NOTICE',
      _raw: 'Feb 30 10:00:00 h a: x',
    });
  });
});

describe('syslog: RFC 5424', () => {
  it('parses the RFC 5424 §6.5 examples', () => {
    expect(
      syslog("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8"),
    ).toEqual({
      timestamp: '2003-10-11T22:14:15.003+00:00',
      hostname: 'mymachine.example.com',
      appname: 'su',
      msgid: 'ID47',
      facility: 'LOG_AUTH',
      severity: 'SEV_CRIT',
      _raw: "'su root' failed for lonvick on /dev/pts/8",
    });
    expect(syslog("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.")).toEqual({
      timestamp: '2003-08-24T05:14:15.000003-07:00',
      hostname: '192.0.2.1',
      appname: 'myproc',
      procid: '8710',
      facility: 'LOG_LOCAL4',
      severity: 'SEV_NOTICE',
      _raw: "%% It's time to make the do-nuts.",
    });
    const withSd = syslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
    );
    expect(withSd).toEqual({
      timestamp: '2003-10-11T22:14:15.003+00:00',
      hostname: 'mymachine.example.com',
      appname: 'evntslog',
      msgid: 'ID47',
      facility: 'LOG_LOCAL4',
      severity: 'SEV_NOTICE',
      'exampleSDID@32473.iut': '3',
      'exampleSDID@32473.eventSource': 'Application',
      'exampleSDID@32473.eventID': '1011',
      _raw: 'An application event log entry...',
    });
    expect(Object.keys(withSd).at(-1)).toBe('_raw');
    expect(
      syslog(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      ),
    ).toMatchObject({ 'exampleSDID@32473.iut': '3', 'examplePriority@32473.class': 'high' });
  });

  it('omits _raw for an empty message and accepts a nil timestamp', () => {
    expect(syslog('<14>1 - host app 42 - -')).toEqual({
      hostname: 'host',
      appname: 'app',
      procid: '42',
      facility: 'LOG_USER',
      severity: 'SEV_INFO',
    });
  });

  it('unescapes \\" \\\\ and \\] in SD values and keeps other backslashes', () => {
    const event = syslog('<14>1 2024-01-15T10:30:00Z h a - - [x@1 msg="say \\"hi\\" \\] c:\\\\tmp \\d"] done');
    expect(event['x@1.msg']).toBe('say "hi" ] c:\\tmp \\d');
    expect(event._raw).toBe('done');
  });

  it('keeps the first value of a repeated SD parameter', () => {
    expect(syslog('<14>1 - h a - - [x@1 k="1" k="2"]')['x@1.k']).toBe('1');
  });

  it('renders fractional seconds in 3/6/9-digit groups and drops zero fractions', () => {
    expect(syslog('<14>1 2024-01-15T10:30:00.5+02:00 h a - - -').timestamp).toBe('2024-01-15T10:30:00.500+02:00');
    expect(syslog('<14>1 2024-01-15T10:30:00.000Z h a - - -').timestamp).toBe('2024-01-15T10:30:00+00:00');
    expect(syslog('<14>1 2024-01-15T10:30:00.1234Z h a - - -').timestamp).toBe('2024-01-15T10:30:00.123400+00:00');
    expect(syslog('<14>1 2024-01-15T10:30:00.123456789123Z h a - - -').timestamp).toBe('2024-01-15T10:30:00.123456789+00:00');
  });

  it('falls back to RFC 3164 when a header part is malformed', () => {
    // Month 13 is not a date, so the RFC 5424 header is rejected; the facility survives.
    expect(syslog('<34>1 2003-13-11T22:14:15Z host app - - - msg')).toEqual({
      facility: 'LOG_AUTH',
      severity: 'SEV_CRIT',
      _raw: '1 2003-13-11T22:14:15Z host app - - - msg',
    });
    // Unterminated structured data.
    expect(syslog('<34>1 2003-10-11T22:14:15Z host app - - [x@1 a="b" msg')._raw).toBe(
      '1 2003-10-11T22:14:15Z host app - - [x@1 a="b" msg',
    );
    // Missing header fields.
    expect(syslog('<34>1 2003-10-11T22:14:15Z host')).toMatchObject({ facility: 'LOG_AUTH', _raw: '1 2003-10-11T22:14:15Z host' });
  });

  it('keeps the BOM when stripBom is off', () => {
    const keep: InputFormat = { kind: 'syslog', syslog: { defaultTzOffsetMinutes: 0, stripBom: false } };
    expect(syslog('<14>1 - h a - - - \uFEFFhello ', keep)._raw).toBe('\uFEFFhello');
  });
});

describe('syslog: PRI and edge cases', () => {
  it('maps every facility and severity code', () => {
    expect(syslog('<191>x')).toMatchObject({ facility: 'LOG_LOCAL7', severity: 'SEV_DEBUG' });
    expect(syslog('<0>x')).toMatchObject({ facility: 'LOG_KERN', severity: 'SEV_EMERG' });
    expect(syslog('<108>x')).toMatchObject({ facility: 'LOG_AUDIT', severity: 'SEV_WARNING' });
  });

  it('treats an invalid PRI as no header at all', () => {
    expect(syslog('<192>Oct 11 22:14:15 host su: x')).toEqual({ _raw: '<192>Oct 11 22:14:15 host su: x' });
    expect(syslog('<abc>hello')).toEqual({ _raw: '<abc>hello' });
    expect(syslog('<>hello')).toEqual({ _raw: '<>hello' });
    expect(syslog('<1234>hello')).toEqual({ _raw: '<1234>hello' });
  });

  it('always yields an event in explicit syslog mode', () => {
    expect(syslog('just some text')).toEqual({ _raw: 'just some text' });
    expect(syslog('   ')).toEqual({});
  });

  it('turns an embedded JSON message into the event, adding only missing syslog_* keys (05 §11 test 4)', () => {
    const decoded = decodeLine(
      '<165>1 2024-01-15T10:30:00Z web01 app 7 ID1 [meta@1 env="prod"] \uFEFF{"CommandLine":"whoami","syslog_appname":"own"}',
      SYSLOG,
      false,
      JUNE_2024,
    ) as DecodedLine;
    expect(decoded.fromJson).toBe(true);
    expect(decoded.value).toEqual({
      CommandLine: 'whoami',
      syslog_appname: 'own',
      syslog_timestamp: '2024-01-15T10:30:00+00:00',
      syslog_hostname: 'web01',
      syslog_procid: '7',
      syslog_msgid: 'ID1',
      syslog_facility: 'LOG_LOCAL4',
      syslog_severity: 'SEV_NOTICE',
      'sd.meta@1.env': 'prod',
    });
  });

  it('keeps a JSON array message as _raw', () => {
    expect(syslog('<14>Oct 11 22:14:15 h app: [1,2]')._raw).toBe('[1,2]');
  });
});

describe('syslog: calendar checks', () => {
  it('accepts 29 February only in leap years and a leap second', () => {
    expect(syslog('<14>1 2024-02-29T00:00:00Z h a - - -').timestamp).toBe('2024-02-29T00:00:00+00:00');
    expect(syslog('<14>1 2000-02-29T00:00:00Z h a - - -').timestamp).toBe('2000-02-29T00:00:00+00:00');
    expect(syslog('<14>1 2016-12-31T23:59:60Z h a - - -').timestamp).toBe('2016-12-31T23:59:60+00:00');
    expect(syslog('<14>1 2023-02-29T00:00:00Z h a - - -').timestamp).toBeUndefined();
    expect(syslog('<14>1 1900-02-29T00:00:00Z h a - - -').timestamp).toBeUndefined();
    expect(syslog('<14>1 2024-04-31T00:00:00Z h a - - -').timestamp).toBeUndefined();
    expect(syslog('<14>1 2024-01-15T24:00:00Z h a - - -').timestamp).toBeUndefined();
    expect(syslog('<14>1 2024-01-15T10:00:00+24:00 h a - - -').timestamp).toBeUndefined();
  });
});
