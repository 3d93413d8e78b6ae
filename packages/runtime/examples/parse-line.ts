// Decode one line into an Event (the evaluator's view of a log record) or a ParseFailure; it never throws.
import { ParseFailure, parseLine } from '@tsigma/runtime';

const lines = [
  ['{"user":"alice","action":"login"}', { kind: 'json' }],
  ['<34>1 2024-10-11T22:14:15.003Z mymachine su - - - failed for lonvick', { kind: 'syslog' }],
  ['level=warn msg="disk full" host=db1', { kind: 'logfmt' }],
  ['CEF:0|Palo Alto|PAN-OS|10|THREAT|threat|7|src=10.0.0.1 dst=10.0.0.2', { kind: 'cef' }],
  ['["not", "an", "object"]', { kind: 'json' }],
] as const;

for (const [line, format] of lines) {
  const event = parseLine(line, format);
  if (event instanceof ParseFailure) console.log(`${format.kind}: rejected (${event.message})`);
  else console.log(`${format.kind}: ${JSON.stringify(event.toJSON())}`);
}
