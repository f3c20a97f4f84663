// CPU seconds used by Chromium's threads between two snapshots, grouped by process type and thread name, read from
// /proc (Linux only; elsewhere the snapshots are empty). bench:scan prints it to show where a stage spends its time.
import { readdirSync, readFileSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Per-thread CPU ticks of every Chromium process. */
export function cpuSnapshot() {
  const out = new Map();
  let pids = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (!/chrom/i.test(read(`/proc/${pid}/comm`) ?? '')) continue;
    const type = (read(`/proc/${pid}/cmdline`) ?? '').match(/--type=([a-z-]+)/)?.[1] ?? 'browser';
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${pid}/${tid}`, { key: `${type} ${name}`, ticks: Number(fields[11]) + Number(fields[12]) });
    }
  }
  return out;
}

/** "name 1.23 s, …" for the threads that used at least 0.1 s between the snapshots, busiest first. */
export function cpuSummary(before, after) {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const by = {};
  for (const [id, v] of after) by[v.key] = (by[v.key] ?? 0) + (v.ticks - (before.get(id)?.ticks ?? 0)) / ticksPerSecond;
  const rows = Object.entries(by).filter(([, s]) => s >= 0.1).sort((a, b) => b[1] - a[1]);
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  return rows.length ? `${total.toFixed(1)} s in all: ${rows.map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')}` : 'not available';
}
