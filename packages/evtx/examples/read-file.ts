// Read every record of an .evtx file. Records come in file order, chunk by chunk, in the JSON shape of
// `evtx_dump -o json`; a damaged chunk or record is an `{ ok: false }` item and reading goes on after it.
import { join } from 'node:path';
import { EvtxFileReader } from '@tsigma/evtx';

const reader = await EvtxFileReader.open(join(import.meta.dirname, '../test/fixtures/new-user-security.evtx'));
for await (const record of reader.records()) {
  if (!record.ok) {
    console.log(`skipped: ${record.error}`);
    continue;
  }
  const event = record.data.Event as { System: { EventID: number; Channel: string } };
  console.log(`#${record.recordId} ${record.timestamp} ${event.System.Channel} ${event.System.EventID}`);
}
console.log(`${reader.problems.length} problem(s)`); // everything damaged, with chunk index and file offset
