// `whcli sign` with nothing else in its build: bin/whcli.js runs this for it (see scripts/bundle.mjs).
import { runCommand } from '../cli-run.js';
import { addSignCommand } from '../cli-sign.js';

runCommand(addSignCommand);
