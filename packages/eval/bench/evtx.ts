// EVTX-shaped events through the `windows` pipeline against the same events flattened through `sysmon`
// (issue 13): 100,000 generated Sysmon events, JSON text in, results out, all of SigmaHQ's `rules/` loaded once
// per pipeline with logsource routing on (as the CLI runs), so rules for other products never run on these
// events. The two shapes run alternately in one process so that a noisy host hits both alike.
// Run alone: node --expose-gc --import tsx bench/evtx.ts [events] [rounds]   (TSIGMA_CORPUS overrides the corpus root)

import { readFileSync } from 'node:fs';
import { findSigmaRuleFiles, parseSigmaYaml } from '@tsigma/parser';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { Engine, JsonEvent, builtinPipeline, windowsEventRouter } from '../src/index.js';
import { generateEvents, toEvtxShape } from './data.js';

exitWithoutCorpus('eval bench (bench/evtx.ts)');
const RULES = corpusPath('sigmahq', 'rules');
const EVENTS = Number(process.argv[2] ?? 100_000);
/** Alternating rounds per shape; the figures printed are the median round of each. */
const ROUNDS = Number(process.argv[3] ?? 3);
/** Share of the flattened figure that EVTX-shaped events should reach (issue 13). */
const TARGET_RATIO = 0.8;

function load(files: readonly string[], pipeline: string): Engine {
  const engine = new Engine({ logSourceRouter: windowsEventRouter() });
  engine.addPipeline(builtinPipeline(pipeline) as NonNullable<ReturnType<typeof builtinPipeline>>);
  const report = engine.addCollections(files.map((file) => parseSigmaYaml(readFileSync(file, 'utf8'), { file })));
  engine.evaluate(new JsonEvent({})); // builds the candidate index, part of loading
  console.log(`rules/ + ${pipeline} pipeline, logsource routing: ${report.rulesLoaded} rules loaded`);
  return engine;
}

interface Round {
  rate: number;
  detections: number;
}

function run(engine: Engine, lines: readonly string[]): Round {
  globalThis.gc?.();
  let detections = 0;
  const t0 = performance.now();
  for (const line of lines) {
    const results = engine.evaluate(new JsonEvent(JSON.parse(line)));
    if (results.length > 0) {
      detections += results.length;
      JSON.stringify(results);
    }
  }
  return { rate: lines.length / ((performance.now() - t0) / 1000), detections };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

console.log(`node ${process.version}, ${EVENTS} events, ${ROUNDS} alternating rounds`);
const files = (await findSigmaRuleFiles(RULES)).files;
const flatEngine = load(files, 'sysmon');
const evtxEngine = load(files, 'windows');
const events = generateEvents(EVENTS);
const flatLines = events.map((e) => JSON.stringify(e));
const evtxLines = events.map((e, i) => JSON.stringify(toEvtxShape(e, i + 1)));
events.length = 0; // only the text is kept, as a log source delivers it
const flat: Round[] = [];
const evtx: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  flat.push(run(flatEngine, flatLines));
  evtx.push(run(evtxEngine, evtxLines));
  const f = flat[r] as Round;
  const e = evtx[r] as Round;
  console.log(`round ${r + 1}: flattened + sysmon ${Math.round(f.rate)} events/s, EVTX-shaped + windows ${Math.round(e.rate)} events/s`);
}
const flatRate = median(flat.map((x) => x.rate));
const evtxRate = median(evtx.map((x) => x.rate));
console.log(`flattened Sysmon events, sysmon pipeline: ${Math.round(flatRate)} events/s, ${flat[0]?.detections} detections`);
console.log(`EVTX-shaped events, windows pipeline: ${Math.round(evtxRate)} events/s, ${evtx[0]?.detections} detections`);
console.log(`ratio ${(evtxRate / flatRate).toFixed(3)} (target ${TARGET_RATIO})`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
