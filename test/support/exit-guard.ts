// Root hook shared by every mocha run of the repository: once the last test has finished, the
// runner must exit by itself. If a leaked handle (a socket, a server, a timer, a worker) keeps
// it alive, it fails after EXIT_GRACE_MS, naming what was left open, instead of hanging CI.

// Required first: a root hook that fails (the leaked-process check) skips the root hooks after it.
const EXIT_GRACE_MS = 15_000;

export const mochaHooks = {
  afterAll(): void {
    const guard = setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      process.stderr.write(`\nmocha did not exit ${EXIT_GRACE_MS / 1000} s after the last test; left open: ${open.join(', ') || 'nothing visible'}\n`);
      // mocha sets the exit code to its failure count in an 'exit' listener: have the last word.
      process.on('exit', () => {
        process.exitCode = 1;
      });
      process.exit(1);
    }, EXIT_GRACE_MS);
    guard.unref();
  },
};
