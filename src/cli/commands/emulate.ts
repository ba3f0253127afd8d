import { loadConfig } from '../../config/load-config.js';
import { errors } from '../../errors/index.js';
import { parseCommandArgs } from '../args.js';
import type { Output } from '../output.js';

export async function runEmulate(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { port: { type: 'string' }, channel: { type: 'string', multiple: true } },
    'emulate',
  );
  if (positionals[0] !== 'slack' || positionals.length > 1)
    throw errors.usage('herald emulate needs what to emulate: slack', 'Run `herald emulate slack`.');
  const port = Number(values.port ?? 8124);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw errors.usage(`--port ${values.port} is not a port number`, 'Pass a number from 0 to 65535.');

  const given = (values.channel as unknown as string[] | undefined) ?? [];
  let channels = given.map((c) => {
    const [id = '', name] = c.split(':');
    return { id, name: name || id.toLowerCase() };
  });
  if (channels.length === 0) {
    const configured = await loadConfig(values.cwd ?? cwd, values.config).then(
      ({ config }) => config.slack.channels,
      () => [],
    );
    channels = configured.map((c) => ({ id: c.id, name: (c.name ?? c.id).replace(/^#/, '') }));
  }
  if (channels.length === 0) channels = [{ id: 'C0RELEASES', name: 'releases' }];

  const { startSlackEmulator } = await import('../../server/emulators/slack.js');
  const emulator = await startSlackEmulator({
    port,
    channels,
    onRequest: (r) =>
      output.info(
        `${r.apiMethod}${typeof r.args.channel === 'string' ? ` ${r.args.channel}` : ''}: ${r.ok ? 'ok' : (r.error ?? `HTTP ${r.status}`)}`,
      ),
  });
  const site = emulator.url.replace(/api\/$/, '');
  if (output.json)
    output.out(JSON.stringify({ url: site, apiUrl: emulator.url, token: emulator.token, channels }));
  else {
    output.info(
      `Slack emulator on ${site} (open it to see the channels): ${channels.map((c) => `#${c.name} ${c.id}`).join(', ')}`,
    );
    output.out(`export SLACK_API_URL=${emulator.url}\nexport SLACK_BOT_TOKEN=${emulator.token}`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
}
