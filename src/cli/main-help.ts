/** `herald --help`. */
export const mainHelp = `Usage: herald <command> [options]

Release notes from conventional commits, held until announce day.

Commands:
  init         write a starting .releaserc.json from what the repository shows
  notes        print (or --write) the release notes since the last release tag
  changelog    rebuild CHANGELOG.md from every release tag (--rebuild)
  docs         compile the product docs at a release: build, check, diff
  prepare      store the release's notes and docs as an embargoed bundle
  schedule     set when a prepared release is announced (--at, --tz, --now)
  hold         take a release off the schedule, keep it
  cancel       cancel a release's announcement
  list         prepared releases: status, announce time, revision, deliveries
  show         one release: state, content, notes
  preview      write every artefact of a release as files to open
  edit         reword, hide, reorder the notes of a release; add an intro
  log          the audit log of a release
  announce     publish every release that is due (--dry-run: the plan only)
  status       the delivery ledger of a release
  retry        re-queue a release's failed deliveries
  doctor       check the store and each channel's credentials and settings
  subscribers  the email subscribers: import a CSV, add, remove, list, export
  serve        the dashboard, the subscribe / confirm / unsubscribe endpoints and the scheduler
  users        who may sign in to the dashboard: add, remove, list, reset
  emulate      run a local Slack API for a rehearsal (emulate slack)
  schema       print the JSON Schema of .releaserc.json

Global options:
  --cwd <dir>       run in this directory (default: the current one)
  --config <file>   config file (default: the one semantic-release reads in the repository
                    root: .releaserc.json, .releaserc(.yaml), release.config.js, package.json…)
  --json            machine-readable output on stdout; logs stay on stderr
  -h, --help        help for a command
  --version         print Herald's version

Environment: NO_COLOR disables colour; HERALD_DATABASE_URL picks a PostgreSQL store;
HERALD_ACTOR names you in the audit log. Exit codes: 0 ok, 1 failure, 2 bad usage or input.`;
