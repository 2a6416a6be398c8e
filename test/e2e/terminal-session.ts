// A command on a real terminal of its own, driven like a user at a keyboard: script(1)
// (util-linux) gives it a pseudo terminal, whatever is written to script's stdin is typed
// on that terminal, and what the terminal shows comes back on script's stdout.

/** What the outer shell prints around the command: the terminal's mode (`stty -g`) before and after. */
export interface TerminalTranscript {
  /** script's exit status: the shell's, whose last command is the second `stty -g`. */
  exitCode: number;
  /** Everything the terminal showed, `\r\n` line ends included. */
  output: string;
  modeBefore: string;
  modeAfter: string;
  /** The command's exit status. */
  commandStatus: number;
  /** What the command showed, between the two modes. */
  commandOutput: string;
}

export class TerminalSession {
  private readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private seen = "";
  private ended = false;

  /** Starts `command` (a shell command line) in CWD on a fresh terminal, between two `stty -g`. */
  constructor(command: string, cwd?: string) {
    const framed = `stty -g; ( ${command} ); echo "status=$?"; stty -g`;
    this.proc = Bun.spawn(["script", "-qec", framed, "/dev/null"], { cwd, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    this.reader = this.proc.stdout.getReader();
  }

  /** Waits until the terminal has shown `marker`; returns everything shown so far. */
  async waitFor(marker: string): Promise<string> {
    while (!this.seen.includes(marker)) {
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`the terminal closed before showing "${marker}": ${JSON.stringify(this.seen)}`);
      this.seen += this.decoder.decode(value, { stream: true });
    }
    return this.seen;
  }

  /** Types BYTES on the terminal. */
  type(bytes: string): void {
    this.proc.stdin.write(bytes);
    this.proc.stdin.flush();
  }

  /** Waits for the command and the shell around it to end. */
  async finish(): Promise<TerminalTranscript> {
    for (;;) {
      const { value, done } = await this.reader.read();
      if (done) break;
      this.seen += this.decoder.decode(value, { stream: true });
    }
    const exitCode = await this.proc.exited;
    this.ended = true;
    this.proc.stdin.end();
    // Line ends without \r: the terminal was left in raw mode.
    const framing = /^([^\r\n]*)\r?\n([\s\S]*)status=(\d+)\r?\n([^\r\n]*)\r?\n$/.exec(this.seen);
    if (!framing) throw new Error(`unexpected terminal transcript: ${JSON.stringify(this.seen)}`);
    return {
      exitCode,
      output: this.seen,
      modeBefore: framing[1]!,
      commandOutput: framing[2]!,
      commandStatus: Number(framing[3]),
      modeAfter: framing[4]!,
    };
  }

  /** Ends the session if it still runs (its terminal hangs up, which stops what runs on it). */
  close(): void {
    if (!this.ended) this.proc.kill("SIGKILL");
  }
}
