// Where and when a matched event happened, copied onto its results (issue 13) so a hit among thousands can be
// placed without the event: its time, and for Windows events the computer, channel, event id and record id an
// analyst pivots on. Read only for events that matched something, so the hot path never pays for it.
import type { EvaluationResult, JsonEvent } from '@tsigma/eval';

/** The context fields of a result (all optional; see `RuleHeader`). */
type ResultContext = Pick<EvaluationResult, 'event_time' | 'computer' | 'channel' | 'event_id' | 'record_id'>;

/**
 * The context of `event`: `event_time` when `timeText` is given; the Windows fields when the event is EVTX-shaped
 * (`Event.System`) or flat with both `Channel` and `EventID`.
 */
export function eventContext(event: JsonEvent, timeText: string | undefined): ResultContext {
  const context: ResultContext = {};
  if (timeText !== undefined) context.event_time = timeText;
  const system = event.get('Event.System');
  let block: Record<string, unknown>;
  if (system !== null && typeof system === 'object' && !Array.isArray(system)) {
    block = system;
  } else {
    const channel = event.get('Channel');
    const eventId = event.get('EventID');
    if (channel === undefined || eventId === undefined) return context;
    block = { Channel: channel, EventID: eventId, Computer: event.get('Computer'), EventRecordID: event.get('EventRecordID') };
  }
  const { Computer: computer, Channel: channel, EventRecordID: recordId } = block;
  let eventId = block['EventID'];
  // EVTX keeps qualifiers beside the id: {"#attributes": {"Qualifiers": 16384}, "#text": 7045}.
  if (eventId !== null && typeof eventId === 'object' && !Array.isArray(eventId)) eventId = (eventId as Record<string, unknown>)['#text'];
  if (typeof computer === 'string') context.computer = computer;
  if (typeof channel === 'string') context.channel = channel;
  const id = integer(eventId);
  if (id !== undefined) context.event_id = id;
  const record = integer(recordId);
  if (record !== undefined) context.record_id = record;
  return context;
}

function integer(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}
