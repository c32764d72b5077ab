// Reads relay.provider-scores outside the JVM with only the released .avsc files: no Relay code,
// no schema registry. Every record is Avro single-object encoded: the bytes C3 01, the writer
// schema's CRC-64-AVRO fingerprint (8 bytes, little-endian), then the binary datum.
//
//   node read-provider-scores.mjs [bootstrap] [released-schemas-dir] [stop-after-idle-seconds]
//
// Prints one JSON line per score record; runs until stopped, or exits after that many idle seconds.
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap = 'localhost:9092', releasedDir = '../../schemas/src/main/resources/dev/relay/schemas/released',
  idleSeconds = '0'] = process.argv.slice(2);

// CRC-64-AVRO (a Rabin fingerprint), as the Avro specification defines it.
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (fp & 1n ? EMPTY : 0n);
  return fp;
});

function fingerprint(canonicalForm) {
  let fp = EMPTY;
  for (const b of Buffer.from(canonicalForm, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fp);
  return bytes.toString('hex');
}

// Every released version of ProviderScore, by the fingerprint its records carry. avsc's
// getSchema() without options is the schema's parsing canonical form, which the fingerprint covers.
const writers = new Map();
const dir = path.join(releasedDir, 'dev.relay.schemas.ProviderScore');
for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.avsc'))) {
  const type = avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  writers.set(fingerprint(JSON.stringify(type.getSchema())), type);
}

const kafka = new Kafka({ clientId: 'relay-analytics-example', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `relay-analytics-example-${process.pid}` });
let idleTimer;
function stopWhenIdle() {
  if (Number(idleSeconds) <= 0) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(async () => {
    await consumer.disconnect();
    process.exit(0);
  }, Number(idleSeconds) * 1000);
}

await consumer.connect();
await consumer.subscribe({ topic: 'relay.provider-scores', fromBeginning: true });
stopWhenIdle();
await consumer.run({
  eachMessage: async ({ message }) => {
    stopWhenIdle();
    const value = message.value;
    if (value === null) return; // a tombstone: the route is gone
    if (value[0] !== 0xc3 || value[1] !== 0x01) throw new Error('not Avro single-object encoding');
    const writer = writers.get(value.subarray(2, 10).toString('hex'));
    if (!writer) throw new Error('written with a schema that is not released here: fetch its .avsc');
    const score = writer.fromBuffer(value.subarray(10));
    console.log(JSON.stringify({
      route: message.key.toString(), // provider|COUNTRY|CHANNEL
      score: score.score,
      tried: score.tried,
      delivered: score.delivered,
      deliveryRate: score.deliveryRate,
      updatedAt: new Date(score.updatedAt).toISOString(),
    }));
  },
});
