import { readdirSync, readFileSync } from "node:fs";

/** The process ids of `root` and every process below it, read from /proc (Linux only). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name is in parentheses and may contain spaces: the parent id is the second field after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident memory of one process in bytes (VmRSS), or 0 when it is gone. */
export function rssBytes(pid: number): number {
  const status = readText(`/proc/${pid}/status`);
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status ?? "")?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** Sum of the RSS of a process tree (shared pages count once per process, as `ps` would show them). */
export function treeRssBytes(root: number): { bytes: number; processes: number } {
  const pids = processTree(root);
  return { bytes: pids.reduce((sum, pid) => sum + rssBytes(pid), 0), processes: pids.length };
}

/** Samples a process tree's RSS every `intervalMs` until stopped; reports the peak. */
export function sampleTreeRss(root: number, intervalMs = 250): { stop(): { peakBytes: number; peakProcesses: number; samples: number } } {
  let peakBytes = 0;
  let peakProcesses = 0;
  let samples = 0;
  const sample = () => {
    const { bytes, processes } = treeRssBytes(root);
    samples++;
    if (bytes > peakBytes) {
      peakBytes = bytes;
      peakProcesses = processes;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakBytes, peakProcesses, samples };
    },
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
