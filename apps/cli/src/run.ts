// Entry point of the `tsigma` command: dispatches argv to subcommands and returns the exit code.
export async function run(argv: string[]): Promise<number> {
  process.stdout.write(`tsigma ${argv.join(' ')}\n`);
  return 0;
}
