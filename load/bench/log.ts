/** Progress lines with the seconds since the start: stdout, or stderr under `--json` (then stdout holds only the JSON object). */
let toStderr = false;
const started = Date.now();
export const logToStderr = (on: boolean): void => void (toStderr = on);
export const log = (line: string): void => {
  const stamp = `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] `;
  (toStderr ? process.stderr : process.stdout).write(line.startsWith('\n') ? `\n${stamp}${line.slice(1)}\n` : `${stamp}${line}\n`);
};
