// The baseline for bench:email: the same number of messages, the size of Herald's (the sample .eml
// from `herald preview --channel email`), through a bare nodemailer pool, no bookkeeping at all.
// Usage: node bench/email-baseline.mjs <smtp url> <messages> <connections> <sample.eml>
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const [url, count, connections, sample] = process.argv.slice(2);
const raw = readFileSync(sample, 'utf8');
const text = raw
  .split(/\r?\n\r?\n/)
  .slice(1)
  .join('\n\n');
const transport = nodemailer.createTransport({
  url,
  pool: true,
  maxConnections: Number(connections),
  maxMessages: Number.POSITIVE_INFINITY,
  ignoreTLS: true,
});
const total = Number(count);
let next = 0;
async function worker() {
  while (next < total) {
    const i = next++;
    await transport.sendMail({
      from: 'releases@acme.example',
      to: `reader${i}@customer${i % 97}.example`,
      subject: "Acme Cloud 2.0.0: what's new",
      messageId: `<baseline.${i}@acme.example>`,
      text,
    });
  }
}
await Promise.all(Array.from({ length: Number(connections) }, worker));
transport.close();
