// Detect on events from a JetStream subject and publish the results to another subject. Each event is acked only
// after the sink acknowledged its results: at-least-once. Needs a nats-server with JetStream (`nats-server -js`).
import { flattenResults, LogProcessor, RuntimeEngine } from '@tsigma/runtime';
import { NatsSink, NatsSource, assertNoFeedbackLoop, natsConfigFromEnv } from '@tsigma/io-nats';

const cfg = natsConfigFromEnv({ url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' }); // auth from NATS_* variables
const engine = new RuntimeEngine({ rulesPath: process.env.TSIGMA_RULES ?? 'rules' });
await engine.loadRules();
const processor = new LogProcessor(engine);

assertNoFeedbackLoop('events.>', ['detections.windows']); // results must never land on the input subject
const source = await NatsSource.connect(cfg, 'events.>', { kind: 'resume' }, 'tsigma-workers');
const sink = await NatsSink.connect(cfg, 'detections.windows');

// A producer, so the example has something to read.
const producer = await NatsSink.connect(cfg, 'events.windows');
await producer.sendRaw('{"CommandLine":"cmd.exe /c whoami","Computer":"WS01"}');
await producer.sendRaw('{"CommandLine":"notepad.exe","Computer":"WS01"}');
await producer.close();

for (let received = 0; received < 2; received++) {
  const ev = await source.recv(); // null once the source is closed
  if (ev === null) break;
  const results = processor.processBatchWithFormat([ev.payload], { kind: 'json' });
  await sink.send(results.flatMap(flattenResults)); // one message per detection or correlation
  await ev.ackToken.ack(); // only after the sink acknowledged: at-least-once
  console.log(`${ev.origin}: ${results.flatMap((r) => r.detections).length} detection(s)`);
}
await source.close();
await sink.close();
