import type { DetectionResult, EvaluationResult } from '@tsigma/eval';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../test/csv.js';
import { csvLine, details, HuntSummary, oneLine, sortByTime, timelineRow, tsvLine } from './hunt-views.js';

function hit(fields: Partial<DetectionResult> = {}): DetectionResult {
  return {
    rule_title: 'Rule',
    rule_id: 'r1',
    level: 'high',
    author: null,
    tags: [],
    matched_selections: ['sel'],
    matched_fields: [],
    ...fields,
  };
}

describe('timeline rows', () => {
  it('place a Windows hit: time, computer, channel, ids, level, rule, details, source', () => {
    const row = timelineRow(
      hit({
        event_time: '2020-01-01T00:00:00.000Z',
        computer: 'WS1',
        channel: 'Security',
        event_id: 4624,
        record_id: 7,
        source: 'a.evtx',
        matched_fields: [
          { field: 'Event.EventData.CommandLine', value: 'cmd /c "a, b"\nnext' },
          { field: 'Event.System.Provider.#attributes.Name', value: 'X' },
        ],
      }),
    );
    expect(row).toEqual([
      '2020-01-01T00:00:00.000Z',
      'WS1',
      'Security',
      '4624',
      '7',
      'high',
      'Rule',
      'CommandLine: cmd /c "a, b"\\nnext ¦ Provider_Name: X',
      'a.evtx',
    ]);
  });

  it('describe a correlation by its group and value, and leave unknown places empty', () => {
    const corr: EvaluationResult = {
      ...hit(),
      correlation_type: 'event_count',
      group_key: [['User', 'bob']],
      aggregated_value: 5,
      timespan_secs: 60,
    };
    const row = timelineRow(corr);
    expect(row[7]).toBe('User: bob ¦ event_count: 5');
    expect(row.slice(0, 5)).toEqual(['', '', '', '', '']);
    expect(details(hit({ matched_fields: [{ field: 'n', value: { deep: [1] } }] }))).toBe('n: {"deep":[1]}');
  });

  it('keep every cell on one line, reversibly', () => {
    expect(oneLine('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
    expect(oneLine('C:\\temp')).toBe('C:\\temp');
    expect(oneLine('C:\\temp\nx')).toBe('C:\\\\temp\\nx');
  });

  it('CSV and TSV lines read back cell for cell, one physical line per row', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), (cells) => {
        expect(readCsv(csvLine(cells))).toEqual([cells]);
        const tsv = tsvLine(cells);
        expect(tsv.indexOf('\n')).toBe(tsv.length - 1);
        expect(tsv.split('\t')).toHaveLength(cells.length);
      }),
    );
  });
});

describe('sortByTime', () => {
  it('orders by event time, keeps ties in order, puts results without a time last', () => {
    const a = hit({ rule_title: 'a', event_time: '2020-01-02T00:00:00.000Z' });
    const b = hit({ rule_title: 'b' });
    const c = hit({ rule_title: 'c', event_time: '2020-01-01T00:00:00.000Z' });
    const d = hit({ rule_title: 'd', event_time: '2020-01-01T00:00:00.000Z' });
    expect(sortByTime([a, b, c, d]).map((r) => r.rule_title)).toEqual(['c', 'd', 'a', 'b']);
  });
});

describe('HuntSummary', () => {
  it('counts hits per level, top rules and computers, and the time range', () => {
    const summary = new HuntSummary();
    expect(summary.render()).toEqual([]);
    summary.add([
      hit({ computer: 'WS1', event_time: '2020-01-02T00:00:00.000Z' }),
      hit({ computer: 'WS1', event_time: '2020-01-01T00:00:00.000Z' }),
      hit({ rule_title: 'Other', level: null, computer: 'WS2' }),
    ]);
    expect(summary.render()).toEqual([
      'Hits by level: high 2, none 1',
      'Top rules: Rule (high) ×2; Other (none) ×1',
      'Top computers: WS1 ×2; WS2 ×1',
      'Event time: first 2020-01-01T00:00:00.000Z, last 2020-01-02T00:00:00.000Z',
    ]);
  });
});
