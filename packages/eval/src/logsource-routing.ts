// Logsource routing by where an event says it comes from (spec 02 §11, issue 13): a Windows event names its
// channel and event id, and Sigma's Windows logsource table (windows-logsources.ts) says which categories and
// services those can be. A rule for another product, or for a Windows category or service that channel and event
// id cannot hold, is skipped without running its matchers. Like the extractor, routing fails open: an event that
// does not say where it comes from is evaluated against every rule, and so is a rule without a logsource or with
// a Windows category or service the table does not route (ETW-only `file_access`, unlisted services).

import type { LogSource } from '@tsigma/parser';
import { FieldPath, type JsonEvent } from './event.js';
import { ANTIVIRUS_EVENT_IDS, DEFENDER_CHANNEL, SERVICE_CHANNELS, windowsCategoryRoutes } from './windows-logsources.js';

/**
 * Decides which rules can apply to an event from where the event comes from. Routes are strings so an engine can
 * remember its decision per route; the decision for a (route, logsource) pair never changes.
 */
export interface LogSourceRouter {
  /** Where `event` comes from, or undefined when it does not say (then every rule applies). */
  routeOf(event: JsonEvent): string | undefined;
  /** Why a rule with `logsource` cannot match events of `route`, or undefined when it may. */
  exclusion(route: string, logsource: LogSource): string | undefined;
}

const SYSTEM_PATH = new FieldPath('Event.System');
const CHANNEL_PATHS = [new FieldPath('Event.System.Channel'), new FieldPath('Channel')];
const EVENT_ID_PATHS = [new FieldPath('Event.System.EventID.#text'), new FieldPath('Event.System.EventID'), new FieldPath('EventID')];
/** Separates channel and event id in a route; neither can contain it. */
const ROUTE_SEPARATOR = '\u0000';

interface ChannelEvents {
  channels: ReadonlySet<string>;
  eventIds: ReadonlySet<number>;
  /** For messages: "Microsoft-Windows-Sysmon/Operational EventID 1 or Security EventID 4688". */
  text: string;
}

/**
 * The router for Windows events, EVTX records and EVTX-shaped JSON alike (`Event.System.Channel`, or flat `Channel`
 * with `EventID`). Product `windows` is implied; rules without a product apply when their category or service is a
 * Windows one (`antivirus` from Defender), never for other sources' categories (`proxy`, `webserver`, `dns`, …).
 *
 * @example
 * const engine = new Engine({ logSourceRouter: windowsEventRouter() });
 */
export function windowsEventRouter(): LogSourceRouter {
  const categories = new Map<string, ChannelEvents>();
  for (const [category, route] of windowsCategoryRoutes()) categories.set(category, channelEvents(route.Channel, route.EventID));
  categories.set('antivirus', channelEvents([DEFENDER_CHANNEL], ANTIVIRUS_EVENT_IDS));
  const services = new Map<string, { channels: ReadonlySet<string>; text: string }>();
  for (const [service, channels] of Object.entries(SERVICE_CHANNELS)) {
    services.set(service, { channels: new Set(channels.map((c) => c.toLowerCase())), text: channels.join(' or ') });
  }

  return {
    routeOf(event) {
      // The EVTX shape says "Windows" even when the channel is missing or null (damaged or odd records); a flat
      // `Channel` is a weaker sign, taken only with an EventID beside it.
      const system = event.resolve(SYSTEM_PATH);
      const evtxShaped = system !== null && typeof system === 'object' && !Array.isArray(system);
      const channel = firstText(event, CHANNEL_PATHS);
      const eventId = firstText(event, EVENT_ID_PATHS);
      if (!evtxShaped && (channel === undefined || eventId === undefined)) return undefined;
      return `${channel ?? ''}${ROUTE_SEPARATOR}${eventId ?? ''}`;
    },
    exclusion(route, logsource) {
      const cut = route.indexOf(ROUTE_SEPARATOR);
      const channel = route.slice(0, cut);
      const eventIdText = route.slice(cut + 1);
      const eventId = Number(eventIdText);
      const channelText = channel === '' ? 'no channel' : channel;
      const where = eventIdText === '' ? channelText : `${channelText} EventID ${eventIdText}`;
      const product = logsource.product?.toLowerCase();
      if (product !== undefined && product !== 'windows') return `logsource product ${logsource.product} does not apply to Windows events`;
      const category = logsource.category?.toLowerCase();
      const service = logsource.service?.toLowerCase();
      const categoryRoute = category === undefined ? undefined : categories.get(category);
      const serviceChannels = service === undefined ? undefined : services.get(service);
      if (product === undefined && (category !== undefined || service !== undefined)) {
        // Without a product, only a Windows category or service makes a rule about Windows events.
        if ((category !== undefined && categoryRoute === undefined) || (category === undefined && serviceChannels === undefined)) {
          const what = category !== undefined ? `category ${logsource.category}` : `service ${logsource.service}`;
          return `logsource ${what} (no product) is not a Windows log source`;
        }
      }
      if (categoryRoute !== undefined && !(categoryRoute.channels.has(channel.toLowerCase()) && categoryRoute.eventIds.has(eventId))) {
        return `category ${logsource.category} comes from ${categoryRoute.text}, not ${where}`;
      }
      if (serviceChannels !== undefined && !serviceChannels.channels.has(channel.toLowerCase())) {
        return `service ${logsource.service} comes from channel ${serviceChannels.text}, not ${channelText}`;
      }
      return undefined;
    },
  };
}

function channelEvents(channels: readonly string[], eventIds: readonly number[]): ChannelEvents {
  return {
    channels: new Set(channels.map((c) => c.toLowerCase())),
    eventIds: new Set(eventIds),
    text: channels.map((c) => `${c} EventID ${eventIds.join('/')}`).join(' or '),
  };
}

/** The first of `paths` holding a string or number, as text; never one holding the separator. */
function firstText(event: JsonEvent, paths: readonly FieldPath[]): string | undefined {
  for (const path of paths) {
    const v = event.resolve(path);
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return v.includes(ROUTE_SEPARATOR) ? undefined : v.trim();
  }
  return undefined;
}
