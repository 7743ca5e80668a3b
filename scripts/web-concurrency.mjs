// @ts-check
// How many server processes `server.mjs` runs: the WEB_CONCURRENCY setting (the name gunicorn and Heroku use).
// Plain JavaScript beside server.mjs (scripts/assemble-standalone.sh copies it), as the server runs outside Next's
// bundle.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Most workers WEB_CONCURRENCY may ask for. */
export const MAX_WORKERS = 256;

/**
 * CPUs this process may use: the CPUs it may run on (`os.availableParallelism()`: the affinity mask, which cpusets
 * set), capped by a cgroup CPU quota when one applies (a container's `--cpus`, Kubernetes' CPU limit), which Node 20's
 * libuv does not read. cgroup v2: `cpu.max` ("<quota> <period>" or "max <period>"); v1: `cpu.cfs_quota_us` (-1: none)
 * and `cpu.cfs_period_us`; each level from the process's own cgroup up to the root counts, and the tightest wins. A
 * fractional quota rounds up (1.5 CPUs: 2 processes, each busy part of the time).
 * @param fsRoot where `/proc` and `/sys` are (tests pass a fake tree).
 * @returns at least 1.
 */
export function availableCpus(fsRoot = "/", parallelism = os.availableParallelism()) {
  let limit = parallelism;
  const read = (/** @type {string} */ file) => {
    try {
      return readFileSync(path.join(fsRoot, file), "utf8").trim();
    } catch {
      return null;
    }
  };
  const cgroups = (read("proc/self/cgroup") ?? "").split("\n").map((line) => line.split(":"));
  /** The directories from `relative` up to the hierarchy's root, under `mount`. */
  const levels = (/** @type {string} */ mount, /** @type {string} */ relative) => {
    const dirs = [];
    for (let p = path.posix.normalize(`/${relative}`); ; p = path.posix.dirname(p)) {
      dirs.push(path.posix.join(mount, p));
      if (p === "/") return dirs;
    }
  };
  const cap = (/** @type {number} */ quota, /** @type {number} */ period) => {
    if (quota > 0 && period > 0) limit = Math.min(limit, Math.max(1, Math.ceil(quota / period)));
  };
  const v2 = cgroups.find(([id, controllers]) => id === "0" && controllers === "");
  if (v2) {
    for (const dir of levels("sys/fs/cgroup", v2[2] ?? "/")) {
      const [quota, period] = (read(path.join(dir, "cpu.max")) ?? "").split(" ");
      if (quota && quota !== "max") cap(Number(quota), Number(period));
    }
  }
  const v1 = cgroups.find(([, controllers]) => (controllers ?? "").split(",").includes("cpu"));
  if (v1) {
    for (const mount of ["sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct"]) {
      for (const dir of levels(mount, v1[2] ?? "/")) {
        cap(Number(read(path.join(dir, "cpu.cfs_quota_us"))), Number(read(path.join(dir, "cpu.cfs_period_us"))));
      }
    }
  }
  return Math.max(1, limit);
}

/**
 * Reads WEB_CONCURRENCY: a whole number of worker processes (1 to {@link MAX_WORKERS}), or `auto` for one per CPU
 * this process may use ({@link availableCpus}). Unset or empty: 1, a single process and no cluster.
 * @returns the number of processes to serve with.
 * @throws Error naming the setting and what it accepts.
 */
export function webConcurrency(value = process.env.WEB_CONCURRENCY, cpus = availableCpus) {
  const raw = (value ?? "").trim().toLowerCase();
  if (raw === "") return 1;
  if (raw === "auto") return cpus();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WORKERS) {
    throw new Error(`Invalid setting WEB_CONCURRENCY: expected a number of processes from 1 to ${MAX_WORKERS}, or "auto"`);
  }
  return n;
}
