// EVTX-shaped events through the `windows` pipeline against the same events flattened through `sysmon`
// (issue 13): 100,000 generated Sysmon events, JSON text in, results out, all of SigmaHQ's `rules/` loaded with
// logsource routing on (as the CLI runs), so rules for other products never run on these events. Each shape runs in
// its own process, as a user runs one kind of log at a time (one process holding both engines would tune its JIT
// to neither), and the shapes alternate round by round so a noisy host hits both alike. Rates are given per second
// of wall time and per second of CPU time (steadier on a shared host); the ratio uses the CPU figures.
// Run alone: node --expose-gc --import tsx bench/evtx.ts [events] [rounds]   (TSIGMA_CORPUS overrides the corpus root)

import { execFileSync } from 'node:child_process';
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

type Shape = 'flat' | 'evtx';
interface Round {
  rate: number;
  cpuRate: number;
  detections: number;
  rules: number;
  rssMiB: number;
}

/** Child mode: load one shape's engine, run a warm-up pass and a measured pass, print the round as JSON. */
async function runShape(shape: Shape): Promise<Round> {
  const files = (await findSigmaRuleFiles(RULES)).files;
  const engine = new Engine({ logSourceRouter: windowsEventRouter() });
  engine.addPipeline(builtinPipeline(shape === 'evtx' ? 'windows' : 'sysmon') as NonNullable<ReturnType<typeof builtinPipeline>>);
  const report = engine.addCollections(files.map((file) => parseSigmaYaml(readFileSync(file, 'utf8'), { file })));
  engine.evaluate(new JsonEvent({})); // builds the candidate index, part of loading
  const lines = generateEvents(EVENTS).map((e, i) => JSON.stringify(shape === 'evtx' ? toEvtxShape(e, i + 1) : e));
  const pass = (): { secs: number; cpuSecs: number; detections: number } => {
    globalThis.gc?.();
    let detections = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const line of lines) {
      const results = engine.evaluate(new JsonEvent(JSON.parse(line)));
      if (results.length > 0) {
        detections += results.length;
        JSON.stringify(results);
      }
    }
    const cpu = process.cpuUsage(c0);
    return { secs: (performance.now() - t0) / 1000, cpuSecs: (cpu.user + cpu.system) / 1e6, detections };
  };
  pass();
  const m = pass();
  return {
    rate: lines.length / m.secs,
    cpuRate: lines.length / m.cpuSecs,
    detections: m.detections,
    rules: report.rulesLoaded,
    rssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

const childShape = process.env['TSIGMA_BENCH_SHAPE'] as Shape | undefined;
if (childShape !== undefined) {
  console.log(JSON.stringify(await runShape(childShape)));
} else {
  console.log(`node ${process.version}, ${EVENTS} events, ${ROUNDS} alternating rounds, one process per shape and round`);
  const rounds: Record<Shape, Round[]> = { flat: [], evtx: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const shape of ['flat', 'evtx'] as const) {
      const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1] as string, String(EVENTS)], {
        env: { ...process.env, TSIGMA_BENCH_SHAPE: shape },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      rounds[shape].push(JSON.parse(out.trim().split('\n').at(-1) as string) as Round);
    }
    const f = rounds.flat[r] as Round;
    const e = rounds.evtx[r] as Round;
    console.log(
      `round ${r + 1}: flattened + sysmon ${Math.round(f.rate)} events/s (${Math.round(f.cpuRate)} per CPU s), ` +
        `EVTX-shaped + windows ${Math.round(e.rate)} events/s (${Math.round(e.cpuRate)} per CPU s)`,
    );
  }
  const show = (shape: Shape, label: string): number => {
    const rs = rounds[shape];
    const cpu = median(rs.map((x) => x.cpuRate));
    console.log(
      `${label}: ${rs[0]?.rules} rules, ${Math.round(median(rs.map((x) => x.rate)))} events/s, ${Math.round(cpu)} per CPU second, ` +
        `${rs[0]?.detections} detections, peak RSS ${Math.round(Math.max(...rs.map((x) => x.rssMiB)))} MiB`,
    );
    return cpu;
  };
  const flat = show('flat', 'flattened Sysmon events, sysmon pipeline');
  const evtx = show('evtx', 'EVTX-shaped events, windows pipeline');
  console.log(`ratio ${(evtx / flat).toFixed(3)} per CPU second (target ${TARGET_RATIO})`);
}
