// What the dev, test and start scripts ask about processes: whether one runs, its parent and children (Linux `/proc`),
// and whether a module is the one Node was started with.
import { realpathSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** True while process `pid` exists (signal 0; EPERM means it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The parent pid in the text of `/proc/<pid>/stat`: field 4, after the command, which is in parentheses and may hold spaces. */
const parentIn = (stat: string): number => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);

/** The parent pid of process `pid`, from `/proc`; `undefined` when it is gone (or not on Linux). */
export async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const ppid = parentIn(stat);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** The pids of the processes whose parent is `pid`, from `/proc` (empty when not on Linux). */
export async function childrenOf(pid: number): Promise<number[]> {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (stat && parentIn(stat) === pid) children.push(Number(entry));
  }
  return children;
}

/** Whether the module at `moduleUrl` (its `import.meta.url`) is the script Node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
