#!/usr/bin/env node
import { createRequire } from 'node:module';

// The commands people run in loops and CI each have a one-file build of their own (see
// scripts/bundle.mjs); every other command, help and unknown names go to the full CLI.
const ONE_FILE_COMMANDS = ['sign', 'trigger', 'verify'];

const command = process.argv[2];
if (ONE_FILE_COMMANDS.includes(command)) createRequire(import.meta.url)(`../dist/bundle/${command}.cjs`);
else await import('../dist/bundle/main.js');
