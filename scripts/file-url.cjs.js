// Injected into the CommonJS bundles (scripts/bundle-cli.mjs) for import.meta.url.
export const __heraldFileUrl = require('node:url').pathToFileURL(__filename).href;
