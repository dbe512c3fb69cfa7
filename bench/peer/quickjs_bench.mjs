// The peer for bench/script_bench: the same listContacts script in QuickJS
// (quickjs-emscripten under Node, the engine seed 001's system uses), isolated the
// same way: a new runtime and context per execution, floh.http.get as a host
// function, the result taken out through the VM's JSON.stringify.
// Usage: node quickjs_bench.mjs [executions]

import { readFileSync } from "node:fs";
import { getQuickJS } from "quickjs-emscripten";

// The seed's script, shared with the tests and bench/script_bench.
const SCRIPT = readFileSync(new URL("../../test/cases/scripts/seed_my_crm.js", import.meta.url), "utf8");
const CANNED = JSON.stringify({
  status: 200,
  headers: { "content-type": "application/json" },
  body: { data: [{ id: 1, name: "Ada" }, { id: 2, name: "Grace" }], total: 2 },
});
const PARAMS = JSON.stringify({ limit: 10, offset: 0 });
const CONFIG = JSON.stringify({ baseUrl: "https://crm.example.com", apiKey: "sk-bench" });

function execute(QuickJS) {
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  const vm = runtime.newContext();
  try {
    const floh = vm.newObject();
    const http = vm.newObject();
    const get = vm.newFunction("get", () => vm.evalCode(`(${CANNED})`).unwrap());
    vm.setProp(http, "get", get);
    vm.setProp(floh, "http", http);
    for (const [name, json] of [["params", PARAMS], ["config", CONFIG], ["variables", "{}"]]) {
      const value = vm.evalCode(`(${json})`).unwrap();
      vm.setProp(floh, name, value);
      value.dispose();
    }
    vm.setProp(vm.global, "floh", floh);
    [get, http, floh].forEach((h) => h.dispose());
    vm.evalCode(SCRIPT).unwrap().dispose();
    const result = vm.evalCode("JSON.stringify(listContacts())").unwrap();
    const text = vm.getString(result);
    result.dispose();
    if (!JSON.parse(text).success) throw new Error("unexpected result " + text);
    return text;
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

const executions = Number(process.argv[2] || 5000);
const QuickJS = await getQuickJS();
for (let i = 0; i < 200; i++) execute(QuickJS);
// PEER_START_AT (ms since the epoch): processes run side by side start timing together.
const startAt = Number(process.env.PEER_START_AT || 0);
const pause = new Int32Array(new SharedArrayBuffer(4));
while (Date.now() < startAt) Atomics.wait(pause, 0, 0, 1);
const micros = [];
const startedAt = performance.timeOrigin + performance.now();
const started = process.hrtime.bigint();
for (let i = 0; i < executions; i++) {
  const t0 = process.hrtime.bigint();
  execute(QuickJS);
  micros.push(Number(process.hrtime.bigint() - t0) / 1000);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const endedAt = performance.timeOrigin + performance.now();
micros.sort((a, b) => a - b);
const pick = (p) => micros[Math.floor(p * (micros.length - 1))];
console.log(JSON.stringify({
  engine: "quickjs-emscripten",
  executions,
  medianMicros: pick(0.5),
  p95Micros: pick(0.95),
  perSecond: executions / seconds,
  startedAt,
  endedAt,
  residentKiB: Math.round(process.memoryUsage().rss / 1024),
}));
