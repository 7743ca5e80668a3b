// The production server's directory for the current build, shared by every instance started from one checkout
// (`npm start`, the browser tests' two servers): `.next/servers/<BUILD_ID>-<hash>/`, assembled by
// scripts/assemble-standalone.sh (the Dockerfile's step) once and never changed afterwards. `<hash>` covers what the
// assembly copies from outside the build (the server scripts, prisma/migrations), which can change without a rebuild.
//
// Why not one fixed directory: starting a second instance used to delete and re-assemble it under the first, which
// then answered every page with 500 (issue 14). Now a directory appears only complete (assembled under a temporary
// name, then renamed: rename(2) is atomic), is reused while it exists, and is removed only when no live process uses
// it. Each user registers itself in `<dir>/.in-use/` (one file per process, named `<pid>-<random>`) before it reads
// anything, and removes the file when it stops; a file whose pid is gone counts as released.
import { createHash, randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isAlive } from "./processes";

const DEFAULT_ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Written last into a finished directory, holding its build id. */
const MARKER = ".assembled";
const IN_USE = ".in-use";

/** A server directory held by this process until {@link AssembledServer.release}. */
export interface AssembledServer {
  /** The directory holding `server.mjs`. */
  dir: string;
  buildId: string;
  /** Unregisters this process (the directory stays for others, and is removed by a later start once unused). */
  release(): Promise<void>;
}

const ownerPid = (name: string) => Number(name.split("-")[0]);

/** The files scripts/assemble-standalone.sh copies from outside `.next`, in a fixed order. */
async function copiedFromOutsideTheBuild(root: string): Promise<string[]> {
  const migrations = path.join(root, "prisma", "migrations");
  const folders = (await readdir(migrations, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return [
    ...["assemble-standalone.sh", "standalone-server.mjs", "web-concurrency.mjs"].map((f) => path.join(root, "scripts", f)),
    ...folders.map((f) => path.join(migrations, f, "migration.sql")),
  ];
}

/** 12 hex digits of SHA-256 over those files' names and contents. */
async function sourcesHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await copiedFromOutsideTheBuild(root)) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

async function users(dir: string): Promise<number[]> {
  const names = await readdir(path.join(dir, IN_USE)).catch(() => [] as string[]);
  return names.map(ownerPid).filter((pid) => Number.isInteger(pid) && isAlive(pid));
}

function runAssembly(root: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", [path.join(root, "scripts", "assemble-standalone.sh"), out], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(output.trim() || `scripts/assemble-standalone.sh exited with code ${code}`));
    });
  });
}

/**
 * The server directory of the build in `<root>/.next`, registered as used by this process: reused when it exists,
 * otherwise assembled (under a temporary name, renamed into place when complete; when another process wins that race,
 * its directory is used). Then removes the directories of other builds, and leftovers of interrupted assemblies,
 * that no live process uses.
 * @param root the project root (default: this checkout).
 * @throws Error when there is no production build, or the assembly fails (the script's own message).
 */
export async function assembledServer(
  { root = DEFAULT_ROOT, log = () => {} }: { root?: string; log?: (line: string) => void } = {},
): Promise<AssembledServer> {
  const buildIdFile = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildIdFile)) throw new Error("No production build in .next: run `npm run build` first.");
  const buildId = (await readFile(buildIdFile, "utf8")).trim();
  const servers = path.join(root, ".next", "servers");
  const dir = path.join(servers, `${buildId}-${await sourcesHash(root)}`);
  const token = `${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(servers, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    if (attempt > 5) throw new Error(`could not register in ${dir}: it keeps disappearing`);
    if (existsSync(path.join(dir, MARKER))) {
      // Register, then check that it was not removed meanwhile (a start that saw it unused).
      await writeFile(path.join(dir, IN_USE, token), "").catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      if (existsSync(path.join(dir, IN_USE, token)) && existsSync(path.join(dir, MARKER))) {
        log(`server of build ${buildId}: ${path.relative(root, dir)} (assembled before)`);
        break;
      }
      continue;
    }
    const partial = `${dir}.partial-${token}`;
    await runAssembly(root, partial);
    await mkdir(path.join(partial, IN_USE), { recursive: true });
    await writeFile(path.join(partial, IN_USE, token), "");
    await writeFile(path.join(partial, MARKER), `${buildId}\n`);
    try {
      await rename(partial, dir);
      log(`server of build ${buildId}: assembled in ${path.relative(root, dir)}`);
      break;
    } catch (error) {
      // Another start renamed its copy into place first (ENOTEMPTY/EEXIST): use that one.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(dir, MARKER))) throw error;
    }
  }

  for (const name of await readdir(servers)) {
    const other = path.join(servers, name);
    if (other === dir) continue;
    const partialOf = /\.partial-(\d+)-[0-9a-f]+$/.exec(name);
    const unused = partialOf ? !isAlive(Number(partialOf[1])) : (await users(other)).length === 0;
    if (unused) {
      await rm(other, { recursive: true, force: true });
      log(`removed ${path.relative(root, other)}, which no running server uses`);
    }
  }

  return {
    dir,
    buildId,
    release: () => rm(path.join(dir, IN_USE, token), { force: true }),
  };
}
