/** One line of the bench's progress on stdout. */
export const log = (line: string): void => void process.stdout.write(`${line}\n`);
