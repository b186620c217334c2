#!/usr/bin/env node
// CommonJS (bin/package.json), as is all of dist/bundle: Node 20 starts its ES module loader only for
// ES modules, and that alone was a fifth of `whcli sign`. The commands people run in loops and CI
// each have a file of their own; every other command, help and unknown names run from main.cjs.
// See scripts/bundle.mjs.
const ONE_FILE_COMMANDS = ['sign', 'trigger', 'verify'];

const command = process.argv[2];
require(ONE_FILE_COMMANDS.includes(command) ? `../dist/bundle/${command}.cjs` : '../dist/bundle/main.cjs');
