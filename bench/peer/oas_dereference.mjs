// The peer for bench/oas_import_bench: @apidevtools/swagger-parser's dereference(),
// which reads, parses (JSON or YAML) and resolves every $ref of a description: what
// a Node importer does before it can look at the operations. Timed per file, median
// and min over --repeat runs, with JSON.parse of the same text alone for scale
// ("-" for YAML), and the peak resident memory. Each file runs in its own Node
// process so the peak is that file's alone.
//
// stdout: a TSV header, then one line per file (`status` is "ok" or why there are no
// figures). stderr: progress, then a table for people. Exits 1 if any file failed.
// Usage: node bench/peer/oas_dereference.mjs [--repeat N] [--timeout SECONDS] FILE...
// Needs the packages of bench/oas/package.json (bench/oas/run.sh installs them).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const DEFAULT_REPEAT = 5;
// Graph beta takes seconds per run; this only stops a run that has gone wrong.
const DEFAULT_TIMEOUT_SECONDS = 600;
const COLUMNS = [
  "file", "status", "bytes", "repeat", "dereference_median_ms", "dereference_min_ms",
  "json_parse_median_ms", "json_parse_min_ms", "peak_rss_mib",
];

// The packages live with the OpenAPI benchmark's inputs, not with the script peer's.
const require = createRequire(new URL("../oas/package.json", import.meta.url));

function milliseconds(started) {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function parseArguments(argv) {
  const options = { repeat: DEFAULT_REPEAT, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, child: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === "--repeat" || arg === "--timeout") && i + 1 < argv.length) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) return null;
      if (arg === "--repeat") options.repeat = value;
      else options.timeoutSeconds = value;
    } else if (arg === "--child") {
      options.child = true;
    } else if (arg.startsWith("-")) {
      return null;
    } else {
      options.files.push(arg);
    }
  }
  return options.files.length > 0 ? options : null;
}

// Runs in the child process: one file, figures as one TSV line on stdout.
async function measure(file, repeat) {
  const SwaggerParser = require("@apidevtools/swagger-parser");
  const dereference = [];
  for (let run = 0; run < repeat; run++) {
    const started = process.hrtime.bigint();
    await SwaggerParser.dereference(file);
    dereference.push(milliseconds(started));
  }
  // Taken before JSON.parse runs, so the peak is dereference()'s.
  const peakMib = process.resourceUsage().maxRSS / 1024;
  const text = readFileSync(file, "utf8");
  const parse = [];
  if (/^\s*[{[]/.test(text)) {
    for (let run = 0; run < repeat; run++) {
      const started = process.hrtime.bigint();
      JSON.parse(text);
      parse.push(milliseconds(started));
    }
  }
  const figure = (values, pick) => (values.length ? pick(values).toFixed(2) : "-");
  return [
    file, "ok", Buffer.byteLength(text), repeat,
    figure(dereference, median), figure(dereference, (v) => Math.min(...v)),
    figure(parse, median), figure(parse, (v) => Math.min(...v)), peakMib.toFixed(1),
  ].join("\t");
}

function failed(file, repeat, status) {
  return [file, status, 0, repeat, "-", "-", "-", "-", "-"].join("\t");
}

function measureInChild(file, options) {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--child", "--repeat", String(options.repeat), file],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutSeconds * 1000 },
  );
  const line = (child.stdout || "").trim();
  if (child.status === 0 && line.split("\t").length === COLUMNS.length) return line;
  if (child.error?.code === "ETIMEDOUT") return failed(file, options.repeat, `timed out after ${options.timeoutSeconds} s`);
  const reason = (child.stderr || "").trim().split("\n").filter(Boolean).pop() || `signal ${child.signal}`;
  return failed(file, options.repeat, `failed: ${reason}`.replaceAll("\t", " "));
}

function printTable(lines, repeat) {
  const rows = lines.map((line) => Object.fromEntries(line.split("\t").map((v, i) => [COLUMNS[i], v])));
  const pad = (value, width) => String(value).padStart(width);
  console.error(`\n${"file".padEnd(45)} ${pad("MB", 8)} ${pad("deref med", 10)} ${pad("deref min", 10)} ${pad("JSON.parse", 11)} ${pad("peak MiB", 9)}`);
  for (const row of rows) {
    const name = basename(row.file).slice(0, 45).padEnd(45);
    if (row.status !== "ok") {
      console.error(`${name} ${row.status}`);
      continue;
    }
    const ms = (value) => (value === "-" ? "-" : `${value}ms`);
    console.error(
      `${name} ${pad((Number(row.bytes) / 1e6).toFixed(2), 8)} ${pad(ms(row.dereference_median_ms), 10)} ` +
        `${pad(ms(row.dereference_min_ms), 10)} ${pad(ms(row.json_parse_median_ms), 11)} ${pad(row.peak_rss_mib, 9)}`,
    );
  }
  console.error(`(deref = SwaggerParser.dereference(file), reading included; JSON.parse median; median and min of ${repeat} runs)`);
}

const options = parseArguments(process.argv.slice(2));
if (options === null) {
  console.error(`usage: node oas_dereference.mjs [--repeat N (${DEFAULT_REPEAT})] [--timeout SECONDS (${DEFAULT_TIMEOUT_SECONDS})] FILE...`);
  process.exit(2);
}
if (options.child) {
  const [file] = options.files;
  try {
    console.log(await measure(file, options.repeat));
  } catch (error) {
    const reason = String(error.message).split("\n")[0].replaceAll("\t", " ");
    console.log(failed(file, options.repeat, `dereference failed: ${reason}`));
  }
} else {
  console.log(COLUMNS.join("\t"));
  const lines = [];
  options.files.forEach((file, i) => {
    console.error(`[${i + 1}/${options.files.length}] ${file} ...`);
    const started = process.hrtime.bigint();
    const line = measureInChild(file, options);
    lines.push(line);
    console.error(`        ${line.split("\t")[1]} in ${(milliseconds(started) / 1000).toFixed(1)} s`);
    console.log(line);
  });
  printTable(lines, options.repeat);
  process.exitCode = lines.every((line) => line.split("\t")[1] === "ok") ? 0 : 1;
}
