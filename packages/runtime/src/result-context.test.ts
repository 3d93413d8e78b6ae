import { JsonEvent } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { eventContext } from './result-context.js';
import { minLevelStage } from './min-level.js';

describe('eventContext', () => {
  it('reads the System block of EVTX-shaped events, EventID qualifiers included', () => {
    const event = new JsonEvent({
      Event: {
        System: { Computer: 'WS1', Channel: 'System', EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 }, EventRecordID: 42 },
      },
    });
    expect(eventContext(event, '2020-01-01T00:00:00.000Z')).toEqual({
      event_time: '2020-01-01T00:00:00.000Z',
      computer: 'WS1',
      channel: 'System',
      event_id: 7045,
      record_id: 42,
    });
  });

  it('reads flat Windows events only with both Channel and EventID, and nothing else', () => {
    expect(eventContext(new JsonEvent({ Channel: 'Security', EventID: '4624', Computer: 'DC' }), undefined)).toEqual({
      channel: 'Security',
      event_id: 4624,
      computer: 'DC',
    });
    expect(eventContext(new JsonEvent({ Computer: 'DC', EventID: 1 }), undefined)).toEqual({});
    expect(eventContext(new JsonEvent({ Event: { System: { EventID: 'abc', EventRecordID: 1e300 } } }), undefined)).toEqual({});
  });
});

describe('minLevelStage', () => {
  it('keeps results at or above the level; a missing level counts as informational', async () => {
    const at = (level: string | null) => ({
      rule_title: String(level),
      rule_id: null,
      level,
      author: null,
      tags: [],
      matched_selections: [],
      matched_fields: [],
    });
    const results = [at('low'), at('high'), at(null), at('critical'), at('medium')] as Parameters<
      ReturnType<typeof minLevelStage>['process']
    >[0];
    expect((await minLevelStage('medium').process(results)).map((r) => r.level)).toEqual(['high', 'critical', 'medium']);
    expect(await minLevelStage('informational').process(results)).toHaveLength(5);
  });
});
