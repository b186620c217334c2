import { exitWhenFlushed } from './exit.js';

async function main(): Promise<number> {
  // `--version` is asked by scripts and shell prompts: answer it without loading the CLI at all.
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    const { whcliVersion } = await import('./version.js');
    process.stdout.write(`${whcliVersion()}\n`);
    return 0;
  }
  const [{ runCli }, { buildProgram }] = await Promise.all([import('./cli-run.js'), import('./cli.js')]);
  return runCli(buildProgram);
}

exitWhenFlushed(main());
