/** The `aidr` command line. Heavy modules (database, HTTP) load only in the commands that use them. */
import { Command } from 'commander';
import { registerCheck } from './check.js';
import { registerChips } from './chips.js';
import { registerInterpretations } from './interpretations.js';
import { reportAndExit, setDebug } from './io.js';
import { registerLedger } from './ledger.js';
import { registerAudit } from './audit.js';
import { registerVeu } from './veu.js';
import { registerServe } from './serve.js';
import { registerKeys } from './keys.js';
import { registerScreen } from './screen.js';
import { registerParties } from './parties.js';
import { registerStatus } from './status.js';

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`aidr audit export | head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = new Command();
  program.name('aidr').description('The AI Diffusion rule (90 FR 4544) as code: determinations with citations').version('0.1.0')
    .option('--debug', 'print stack traces with errors (also AIDR_DEBUG=1)')
    .option('--signing-key <file>', 'the store\'s signing key file (default AIDR_SIGNING_KEY, else aidr-signing.key in the data directory)');
  // Global options apply to every command: read them before the command runs.
  program.hook('preAction', (_program, command) => {
    const o = command.optsWithGlobals() as { debug?: boolean; signingKey?: string };
    setDebug(o.debug === true);
    if (o.signingKey) process.env.AIDR_SIGNING_KEY = o.signingKey;
  });
  program.exitOverride((err) => {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
    process.exit(2);
  });
  registerCheck(program);
  registerChips(program);
  registerInterpretations(program);
  registerLedger(program);
  registerAudit(program);
  registerVeu(program);
  registerServe(program);
  registerKeys(program);
  registerScreen(program);
  registerParties(program);
  registerStatus(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    reportAndExit(e);
  }
}
