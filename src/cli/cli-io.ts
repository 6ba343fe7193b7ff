/** The CLI's view of the outside world, so tests can run it in-process. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Writes to standard output exactly as given (no newline added). */
  write(data: string | Uint8Array): void;
  readStdin(): Promise<Buffer>;
}

export const processIo: CliIo = {
  out: (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  err: (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
  write: (data) => void process.stdout.write(data),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};
