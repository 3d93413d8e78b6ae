import { describe, expect, it } from 'vitest';
import { parseCef } from './cef.js';
import { ParseFailure } from './parse-failure.js';

describe('parseCef', () => {
  it('parses the spec example, values with spaces included', () => {
    expect(parseCef('CEF:0|Security|IDS|1.0|100|Attack|9|src=10.0.0.1 msg=Intrusion attempt dpt=443')).toEqual({
      cef_version: '0',
      deviceVendor: 'Security',
      deviceProduct: 'IDS',
      deviceVersion: '1.0',
      signatureId: '100',
      name: 'Attack',
      severity: '9',
      src: '10.0.0.1',
      msg: 'Intrusion attempt',
      dpt: '443',
    });
  });

  it('discards a syslog prefix (05 §11 test 6)', () => {
    const event = parseCef('<134>Feb 14 19:04:54 fw01 CEF:0|Palo Alto|PAN-OS|10|THREAT|threat|7|src=10.0.0.1');
    expect(event).toMatchObject({ deviceVendor: 'Palo Alto', deviceProduct: 'PAN-OS', src: '10.0.0.1' });
  });

  it('parses a Palo Alto Networks TRAFFIC line with a multi-word rt value', () => {
    const event = parseCef(
      'Jan 15 10:30:00 PA-3220 CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|1|rt=Jan 15 2024 10:30:00 GMT ' +
        'deviceExternalId=012801012345 src=10.1.1.10 dst=8.8.8.8 sourceTranslatedAddress=203.0.113.10 ' +
        'cs1Label=Rule cs1=allow-dns suser=corp\\\\jdoe duser= app=dns act=allow proto=udp spt=53211 dpt=53',
    );
    expect(event).toMatchObject({
      deviceVendor: 'Palo Alto Networks',
      signatureId: 'end',
      name: 'TRAFFIC',
      rt: 'Jan 15 2024 10:30:00 GMT',
      deviceExternalId: '012801012345',
      cs1Label: 'Rule',
      cs1: 'allow-dns',
      suser: 'corp\\jdoe',
      duser: '',
      act: 'allow',
      dpt: '53',
    });
  });

  it('parses a Check Point line whose header contains & and spaces', () => {
    const event = parseCef(
      'CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept destinationTranslatedAddress=0.0.0.0 ' +
        'dst=10.0.0.5 rt=1705314600000 spt=51234 dpt=443 proto=6 src=192.168.1.10 cs2Label=Rule Name cs2=Allow Web',
    );
    expect(event).toMatchObject({
      deviceProduct: 'VPN-1 & FireWall-1',
      deviceVersion: 'Check Point',
      severity: 'Unknown',
      act: 'Accept',
      cs2Label: 'Rule Name',
      cs2: 'Allow Web',
      src: '192.168.1.10',
    });
  });

  it('parses a Trend Micro Deep Security anti-malware line with escaped Windows paths', () => {
    const event = parseCef(
      'CEF:0|Trend Micro|Deep Security Agent|20.0.0|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname ' +
        'cn2=205 cn2Label=Quarantine File Size filePath=C:\\\\Users\\\\trend\\\\Desktop\\\\eicar.exe act=Delete msg=Realtime TrendMicroDsMalwareTarget=N/A',
    );
    expect(event).toMatchObject({
      signatureId: '4000000',
      name: 'Eicar_test_file',
      cn1Label: 'Host ID',
      cn2Label: 'Quarantine File Size',
      filePath: 'C:\\Users\\trend\\Desktop\\eicar.exe',
      act: 'Delete',
      TrendMicroDsMalwareTarget: 'N/A',
    });
  });

  it('parses an ArcSight connector line', () => {
    const event = parseCef(
      'CEF:0|ArcSight|ArcSight|7.14.0.8123.0|agent:030|Connector Raw Event Statistics|Low|eventId=41 mrt=1705314600000 ' +
        'categorySignificance=/Normal categoryBehavior=/Execute/Query categoryOutcome=/Success',
    );
    expect(event).toMatchObject({
      signatureId: 'agent:030',
      severity: 'Low',
      categoryBehavior: '/Execute/Query',
      categoryOutcome: '/Success',
    });
  });

  it('unescapes header \\| and \\\\ and keeps other backslashes', () => {
    expect(parseCef('CEF:0|Vendor\\|Inc|Prod\\\\uct|1\\.0|sig|name|5|')).toMatchObject({
      deviceVendor: 'Vendor|Inc',
      deviceProduct: 'Prod\\uct',
      deviceVersion: '1\\.0',
    });
  });

  it('unescapes extension \\= \\\\ \\n \\r and keeps other backslashes', () => {
    expect(parseCef('CEF:0|a|b|c|d|e|f|request=http://x/?a\\=1 msg=line1\\nline2\\r end path=\\\\srv\\share')).toMatchObject({
      request: 'http://x/?a=1',
      msg: 'line1\nline2\r end',
      path: '\\srv\\share',
    });
  });

  it('keeps a bare = inside a value (05 §11 test 6)', () => {
    expect(parseCef('CEF:0|a|b|c|d|e|f|msg=a=b c=d')).toMatchObject({ msg: 'a=b', c: 'd' });
    expect(parseCef('CEF:0|a|b|c|d|e|f|q=x=y=z')).toMatchObject({ q: 'x=y=z' });
  });

  it('keeps the header name when the extension repeats it, and the first of repeated extension keys', () => {
    expect(parseCef('CEF:0|a|b|c|d|HeaderName|f|name=ext src=1 src=2')).toMatchObject({ name: 'HeaderName', src: '1' });
  });

  it('takes the last word before the first = as the first key', () => {
    expect(parseCef('CEF:0|a|b|c|d|e|f|stray words src=1')).toEqual(expect.objectContaining({ src: '1' }));
  });

  it('accepts an empty or =-free extension', () => {
    const event = parseCef('CEF:1|a|b|c|d|e|f|');
    expect(event).toEqual({
      cef_version: '1',
      deviceVendor: 'a',
      deviceProduct: 'b',
      deviceVersion: 'c',
      signatureId: 'd',
      name: 'e',
      severity: 'f',
    });
    expect(Object.keys(parseCef('CEF:0|a|b|c|d|e|f|no pairs here'))).toHaveLength(7);
  });

  it('fails without CEF:, with fewer than seven separators, or with a bad version', () => {
    const cases: [string, string][] = [
      ['no marker at all', 'no "CEF:"'],
      ['CEF:0|a|b|c|d|e|f', '6 of 7'],
      ['CEF:0|a\\|b|c|d|e|f|g', '6 of 7'],
      ['CEF:x|a|b|c|d|e|f|', 'not a non-negative integer'],
      ['CEF:-1|a|b|c|d|e|f|', 'not a non-negative integer'],
    ];
    for (const [line, reason] of cases) {
      const result = parseCef(line);
      expect(result, line).toBeInstanceOf(ParseFailure);
      expect((result as ParseFailure).code).toBe('cef_syntax');
      expect((result as ParseFailure).message).toContain(reason);
    }
  });
});
