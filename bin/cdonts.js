#!/usr/bin/env node
// The CLI is compiled into dist/ by `npm run build` (run by `npm ci` through `prepare`).
await import('../dist/cli/main.js');
