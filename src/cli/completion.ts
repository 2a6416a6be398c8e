import { rktCommand } from "./command";
import { loadCommandTable } from "./command-table";
import { rktRoot } from "./commands";
import { completionScript, completionShells, type CompletionShell } from "./completion-scripts";
import { didYouMean } from "./did-you-mean";
import { UsageError } from "./errors";
import { printOut } from "./output";

export default rktCommand({
  usage: "bash|zsh|fish",
  details: [
    "Prints a script that completes rkt's commands and flags in the given shell.",
    "Load it with 'source <(rkt completion bash)' in bash, 'source <(rkt completion zsh)' in zsh",
    "and 'rkt completion fish | source' in fish. The build also writes the three scripts to",
    "dist/completion/ (rkt.bash, _rkt, rkt.fish) and the man pages to dist/man/.",
  ],
  maxArgs: 1,
  async run({ args }) {
    const shell = args._[0];
    if (!shell) throw new UsageError(`completion needs a shell: ${completionShells.join(", ")}`);
    if (!(completionShells as readonly string[]).includes(shell)) {
      throw new UsageError(`unknown shell "${shell}" (known: ${completionShells.join(", ")})${didYouMean(shell, [...completionShells])}`);
    }
    return printOut(completionScript(shell as CompletionShell, await loadCommandTable(rktRoot), "rkt"));
  },
});
