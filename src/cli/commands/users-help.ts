export const usersHelp = `Usage: herald users <add|remove|list|reset> [name] [options]

The people who may sign in to the dashboard of \`herald serve\`, kept in the store:
  add <name> --role viewer|manager   a new user; asks for the password (not shown as typed)
  reset <name> [--role …]            a new password (and role); signs the user out everywhere
  remove <name>                      removes the user and ends their sessions
  list                               names, roles, when added

A viewer sees every page; a manager also schedules, holds, cancels, edits and retries.

  --password-stdin        read the password from the first line of stdin (for scripts)
  --role <role>           viewer (default for add) or manager
  --store <url|file>      postgres://… or a SQLite file (default: HERALD_DATABASE_URL, else .herald/state.db)
  --json, --cwd <dir>, --config <file>, -h/--help`;
