// Summarizes bench/peer/run.sh's rounds: reads the JSON lines script_bench and
// quickjs_bench.mjs printed, one group per round (patchbay, peer alone, then the
// two peer processes side by side), and prints each round's figures and ratios
// and the median of each over the rounds.
// Usage: node summarize.mjs FILE
import { readFileSync } from "node:fs";

const lines = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .filter((line) => line.startsWith("{"))
  .map((line) => JSON.parse(line));

const rounds = [];
for (let i = 0; i + 3 < lines.length + 1; i += 4) {
  const [ours, alone, sideA, sideB] = lines.slice(i, i + 4);
  if (!sideB || ours.engine !== "patchbay") throw new Error(`round ${rounds.length + 1} is incomplete`);
  // Two processes side by side: all their executions over the span from the
  // first start to the last end, as script_bench times its two threads.
  const span = (Math.max(sideA.endedAt, sideB.endedAt) - Math.min(sideA.startedAt, sideB.startedAt)) / 1000;
  const peer2 = (sideA.executions + sideB.executions) / span;
  rounds.push({
    median: ours.medianMicros,
    peerMedian: alone.medianMicros,
    one: ours.perSecond,
    peerOne: alone.perSecond,
    two: ours.perSecond2,
    peerTwo: peer2,
    ratioOne: ours.perSecond / alone.perSecond,
    ratioTwo: ours.perSecond2 / peer2,
    runaway: ours.runawayP95Millis,
    resident: ours.residentDeltaKiB,
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const row = (label, r) =>
  `| ${label} | ${r.median.toFixed(1)} / ${r.peerMedian.toFixed(1)} | ` +
  `${Math.round(r.one)} / ${Math.round(r.peerOne)} (${r.ratioOne.toFixed(2)}×) | ` +
  `${Math.round(r.two)} / ${Math.round(r.peerTwo)} (${r.ratioTwo.toFixed(2)}×) | ` +
  `${r.runaway.toFixed(2)} | ${r.resident} |`;

console.log("| round | median µs, patchbay / peer | exec/s 1 thread (ratio) | exec/s 2 threads (ratio) | runaway p95 ms | resident +KiB |");
console.log("|---|---|---|---|---|---|");
rounds.forEach((r, i) => console.log(row(String(i + 1), r)));
const medians = {};
for (const key of Object.keys(rounds[0])) medians[key] = median(rounds.map((r) => r[key]));
console.log(row("median", medians));
