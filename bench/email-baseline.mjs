// The baseline for bench:email: the same number of messages, with the same text and HTML parts as
// Herald's (from `herald preview --channel email`), through a bare nodemailer pool, no bookkeeping.
// Usage: node bench/email-baseline.mjs <smtp url> <messages> <connections> <preview email dir>
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

const [url, count, connections, dir] = process.argv.slice(2);
const text = readFileSync(path.join(dir, 'message.txt'), 'utf8');
const html = readFileSync(path.join(dir, 'message.html'), 'utf8');
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
      html,
    });
  }
}
await Promise.all(Array.from({ length: Number(connections) }, worker));
transport.close();
