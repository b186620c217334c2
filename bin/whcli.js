#!/usr/bin/env node
// CommonJS (bin/package.json), as is all of dist/bundle: Node 20 starts its ES module loader only for
// ES modules, and that alone was a fifth of `whcli sign`. The commands people run in loops and CI
// each have a file of their own; every other command, help and unknown names run from main.cjs.
// See scripts/bundle.mjs.
const ONE_FILE_COMMANDS = ['sign', 'trigger', 'verify'];

const args = process.argv.slice(2);
// Asked by scripts and shell prompts: answered without loading the CLI at all.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) process.stdout.write(`${require('../package.json').version}\n`);
else require(ONE_FILE_COMMANDS.includes(args[0]) ? `../dist/bundle/${args[0]}.cjs` : '../dist/bundle/main.cjs');
