export const emulateHelp = `Usage: herald emulate slack [--port <n>] [--channel <id>[:<name>]]...

Starts a local Slack Web API for a rehearsal of announce day: announce posts to it exactly as it
would to Slack, and it answers with Slack's limits, errors and rate limits (one post per second
per channel). Open the printed address to see the channels as Slack would show them. Runs until
interrupted (Ctrl-C).

  --port <n>                  port on 127.0.0.1 (default 8124; 0: any free port)
  --channel <id>[:<name>]     a channel to create (default: the channels of herald.slack in
                              .releaserc.json, else C0RELEASES:releases)

Then, in another terminal:
  export SLACK_API_URL=<printed> SLACK_BOT_TOKEN=<printed>
  herald announce`;
