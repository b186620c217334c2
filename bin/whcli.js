#!/usr/bin/env node
// CommonJS (bin/package.json): starting Node's ES module loader for this one file cost `whcli sign`
// a fifth of its start-up. The commands people run in loops and CI each have a one-file CommonJS
// build of their own (see scripts/bundle.mjs); every other command, help and unknown names go to
// the full CLI, ES modules loaded as they are needed.
const ONE_FILE_COMMANDS = ['sign', 'trigger', 'verify'];

const command = process.argv[2];
if (ONE_FILE_COMMANDS.includes(command)) require(`../dist/bundle/${command}.cjs`);
else import('../dist/bundle/main.js');
