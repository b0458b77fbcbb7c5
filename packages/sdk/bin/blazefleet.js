#!/usr/bin/env node
// Committed shim: npm links workspace bins at install time, before dist/ is built.
await import('../dist/bundle/blazefleet.js');
