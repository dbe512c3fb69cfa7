// The official MCP TypeScript SDK client drives patchbay over both transports:
// streamable HTTP (POST /mcp on `patchbay serve`) and stdio (`patchbay mcp`,
// once through a running server, once on a local data directory). Each builds
// a connector from a corpus OpenAPI description, runs it against a loopback
// upstream, fixes a broken script and reads the error results.
//
// Environment (set by CTest): PATCHBAY_BIN, PATCHBAY_OAS_CORPUS, MCP_TEST_DIR.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const BIN = process.env.PATCHBAY_BIN;
const CORPUS = process.env.PATCHBAY_OAS_CORPUS;
const PETSTORE = 'readme-oas-examples__oas2.0-petstore-simple__1.0.0.json';
const API_KEY = 'k-123-secret';
const ACCESS_TOKEN = 'tok-456-secret';
const EXPECTED_TOOLS = [
  'parse_openapi_spec', 'generate_connector_script', 'create_connector',
  'update_connector_script', 'test_connector', 'execute_connector_command',
  'list_connectors', 'get_connector', 'list_connector_types', 'get_capabilities',
];

const work = mkdtempSync(path.join(process.env.MCP_TEST_DIR || tmpdir(), 'mcp-sdk-'));
let upstream;          // { url, seen: [] }
let server;            // { process, url, token }

// The API the connectors call: a few petstore operations and a small CRM.
function startUpstream() {
  const seen = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const reply = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url, 'http://upstream');
      let match = url.pathname.match(/^\/v2\/pet\/(\d+)$/);
      if (match && req.method === 'GET') {
        if (req.headers.api_key !== API_KEY) return reply(401, { message: 'bad api key' });
        return reply(200, { id: Number(match[1]), name: 'Rex', status: 'available' });
      }
      if (match && req.method === 'POST') {
        if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return reply(401, {});
        const form = new URLSearchParams(body);
        return reply(200, { id: Number(match[1]), name: form.get('name'), status: form.get('status') });
      }
      if (url.pathname.startsWith('/crm/')) {
        if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return reply(401, { error: 'token' });
        if (url.pathname === '/crm/contacts' && req.method === 'GET') {
          const limit = Number(url.searchParams.get('limit') || 10);
          return reply(200, [{ id: 'c1', email: 'ada@example.com' }, { id: 'c2', email: 'alan@example.com' }].slice(0, limit));
        }
        if (url.pathname === '/crm/contacts' && req.method === 'POST') {
          return reply(201, { id: 'c3', ...JSON.parse(body) });
        }
      }
      reply(404, { message: `no route ${req.method} ${url.pathname}` });
    });
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      resolve({ server: srv, url: `http://127.0.0.1:${srv.address().port}`, seen });
    });
  });
}

// `patchbay serve` on a free loopback port; resolves once its banner is out.
function startServer() {
  const dataDir = path.join(work, 'serve-data');
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, PATCHBAY_HTTP_ALLOW: '127.0.0.0/8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => { err += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 30000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = out.match(/listening on (\S+)/);
      const token = out.match(/keep it safe\): (\S+)/);
      if (url && token && out.includes('try: curl')) {
        clearTimeout(timer);
        resolve({ process: child, url: url[1], token: token[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${out}\n${err}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

const transports = {
  'streamable HTTP': () => new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
  }),
  'stdio through a server': () => new StdioClientTransport({
    command: BIN,
    args: ['mcp', '--server', server.url],
    env: { PATH: process.env.PATH, PATCHBAY_TOKEN: server.token },
    stderr: 'inherit',
  }),
  'stdio on a data directory': () => new StdioClientTransport({
    command: BIN,
    args: ['mcp', '--data-dir', path.join(work, 'local-data')],
    env: { PATH: process.env.PATH, PATCHBAY_HTTP_ALLOW: '127.0.0.0/8' },
    stderr: 'inherit',
  }),
};

async function connect(makeTransport) {
  const client = new Client({ name: 'patchbay-sdk-test', version: '1.0.0' });
  await client.connect(makeTransport());
  return client;
}

function textOf(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

before(async () => {
  assert.ok(BIN, 'PATCHBAY_BIN must name the patchbay binary');
  assert.ok(CORPUS, 'PATCHBAY_OAS_CORPUS must name shared/oas-corpus');
  upstream = await startUpstream();
  server = await startServer();
});

after(async () => {
  if (server) await stop(server.process);
  if (upstream) upstream.server.close();
  rmSync(work, { recursive: true, force: true });
});

for (const [transportName, makeTransport] of Object.entries(transports)) {
  const suffix = transportName.replace(/[^a-z]+/g, '-').replace(/-$/, '');

  describe(`MCP over ${transportName}`, () => {
    let client;
    before(async () => { client = await connect(makeTransport); });
    after(async () => { if (client) await client.close(); });

    test('initialize negotiates the current revision and names the server', () => {
      const info = client.getServerVersion();
      assert.equal(info.name, 'patchbay');
      const capabilities = client.getServerCapabilities();
      assert.ok(capabilities.tools, 'tools capability');
      assert.ok(capabilities.resources, 'resources capability');
      assert.match(client.getInstructions(), /parse_openapi_spec/);
    });

    test('tools/list has every tool with input and output schemas', async () => {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of EXPECTED_TOOLS) assert.ok(names.includes(name), `missing ${name}`);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.ok(tool.description.length > 20, tool.name);
      }
      await client.ping();
    });

    test('resources: the script API reference can be read', async () => {
      const { resources } = await client.listResources();
      const uris = resources.map((r) => r.uri);
      assert.ok(uris.includes('patchbay://docs/script-api'));
      assert.ok(uris.includes('patchbay://docs/external-protocol'));
      const read = await client.readResource({ uri: 'patchbay://docs/script-api' });
      assert.match(read.contents[0].text, /floh\.http/);
      await assert.rejects(client.readResource({ uri: 'patchbay://docs/nope' }),
        (e) => e instanceof McpError && e.code === -32002);
    });

    test('a connector from a corpus OpenAPI description runs against the upstream', async () => {
      const spec = readFileSync(path.join(CORPUS, PETSTORE), 'utf8');
      const parsed = await client.callTool({ name: 'parse_openapi_spec', arguments: { spec, name: `petstore-${suffix}` } });
      assert.ok(!parsed.isError, textOf(parsed));
      const draft = parsed.structuredContent;
      assert.equal(draft.name, `petstore-${suffix}`);
      assert.deepEqual(Object.keys(draft.configSchema.commands).sort(), ['deletePet', 'getPetById', 'updatePetWithForm']);

      const created = await client.callTool({
        name: 'create_connector',
        arguments: { definition: draft, config: { baseUrl: `${upstream.url}/v2`, apiKey: API_KEY, accessToken: ACCESS_TOKEN } },
      });
      assert.ok(!created.isError, textOf(created));
      assert.match(created.structuredContent.id, /^c_/);
      assert.ok(!JSON.stringify(created).includes(API_KEY), 'the api key is never shown');

      const got = await client.callTool({ name: 'execute_connector_command', arguments: { connector: `petstore-${suffix}`, command: 'getPetById', params: { petId: 7 } } });
      assert.ok(!got.isError, textOf(got));
      assert.equal(got.structuredContent.success, true);
      assert.deepEqual(got.structuredContent.payload, { id: 7, name: 'Rex', status: 'available' });
      const request = upstream.seen.findLast((r) => r.url === '/v2/pet/7');
      assert.equal(request.headers.api_key, API_KEY);

      const updated = await client.callTool({ name: 'execute_connector_command', arguments: { connector: `petstore-${suffix}`, command: 'updatePetWithForm', params: { petId: 8, name: 'Max', status: 'sold' } } });
      assert.ok(!updated.isError, textOf(updated));
      assert.deepEqual(updated.structuredContent.payload, { id: 8, name: 'Max', status: 'sold' });

      // A failed command is a tool error with the result's slots.
      const missing = await client.callTool({ name: 'execute_connector_command', arguments: { connector: `petstore-${suffix}`, command: 'getPetById', params: {} } });
      assert.equal(missing.isError, true);
      assert.equal(missing.structuredContent.success, false);
      assert.match(textOf(missing), /petId/);

      const listed = await client.callTool({ name: 'list_connectors', arguments: {} });
      const entry = listed.structuredContent.connectors.find((c) => c.name === `petstore-${suffix}`);
      assert.deepEqual(entry.commands.sort(), ['deletePet', 'getPetById', 'updatePetWithForm']);
      const read = await client.callTool({ name: 'get_connector', arguments: { connector: `petstore-${suffix}` } });
      assert.ok(!read.isError, textOf(read));
      assert.notEqual(read.structuredContent.config.apiKey, API_KEY);
    });

    test('a broken script is refused with line:column, then fixed', async () => {
      const name = `petstore-${suffix}`;
      const before = (await client.callTool({ name: 'get_connector', arguments: { connector: name } })).structuredContent;
      const broken = before.scriptSource.replace('function getPetById(', 'function getPetById(params,, {');
      const refused = await client.callTool({ name: 'update_connector_script', arguments: { connector: name, scriptSource: broken } });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /invalid_definition/);
      assert.match(textOf(refused), /:\d+:\d+/, 'names line:column');
      const unchanged = (await client.callTool({ name: 'get_connector', arguments: { connector: name } })).structuredContent;
      assert.equal(unchanged.revision, before.revision, 'a refused update changes nothing');

      const fixed = before.scriptSource.replace('function getPetById(', '// fixed by the assistant\nfunction getPetById(');
      const accepted = await client.callTool({ name: 'update_connector_script', arguments: { connector: name, scriptSource: fixed } });
      assert.ok(!accepted.isError, textOf(accepted));
      assert.ok(accepted.structuredContent.revision > before.revision);
      const again = await client.callTool({ name: 'execute_connector_command', arguments: { connector: name, command: 'getPetById', params: { petId: 9 } } });
      assert.equal(again.structuredContent.success, true);
    });

    test('a connector generated from a structured description is created and tested', async () => {
      const name = `crm-${suffix}`;
      const generated = await client.callTool({
        name: 'generate_connector_script',
        arguments: {
          name,
          description: 'A small CRM',
          baseUrl: `${upstream.url}/crm`,
          auth: { type: 'bearer' },
          commands: [
            { name: 'listContacts', method: 'GET', path: '/contacts', params: [{ name: 'limit', in: 'query', type: 'integer' }] },
            { name: 'createContact', method: 'POST', path: '/contacts', params: [{ name: 'email', in: 'body', type: 'string', required: true }] },
          ],
          testCommand: 'listContacts',
        },
      });
      assert.ok(!generated.isError, textOf(generated));
      const draft = generated.structuredContent;
      assert.match(draft.scriptSource, /function listContacts/);
      const fields = Object.entries(draft.configSchema.connectionConfig);
      const tokenField = fields.find(([, spec]) => spec.secret)[0];

      const created = await client.callTool({ name: 'create_connector', arguments: { definition: draft, config: { [tokenField]: ACCESS_TOKEN } } });
      assert.ok(!created.isError, textOf(created));
      const tested = await client.callTool({ name: 'test_connector', arguments: { connector: name } });
      assert.ok(!tested.isError, textOf(tested));
      const contacts = await client.callTool({ name: 'execute_connector_command', arguments: { connector: name, command: 'listContacts', params: { limit: 1 } } });
      assert.deepEqual(contacts.structuredContent.payload, [{ id: 'c1', email: 'ada@example.com' }]);
      const made = await client.callTool({ name: 'execute_connector_command', arguments: { connector: name, command: 'createContact', params: { email: 'grace@example.com' } } });
      assert.equal(made.structuredContent.payload.email, 'grace@example.com');
    });

    test('errors: tool failures are results, protocol faults are JSON-RPC errors', async () => {
      const unknownConnector = await client.callTool({ name: 'get_connector', arguments: { connector: 'no-such-connector' } });
      assert.equal(unknownConnector.isError, true);
      assert.match(textOf(unknownConnector), /not_found/);

      const badArguments = await client.callTool({ name: 'execute_connector_command', arguments: { connector: 'x' } });
      assert.equal(badArguments.isError, true);
      assert.match(textOf(badArguments), /"command" is required/);

      const noTest = await client.callTool({ name: 'test_connector', arguments: { connector: `petstore-${suffix}` } });
      assert.equal(noTest.isError, true);

      const badSpec = await client.callTool({ name: 'parse_openapi_spec', arguments: { spec: 'openapi: [' } });
      assert.equal(badSpec.isError, true);
      assert.match(textOf(badSpec), /invalid_argument/);

      await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }),
        (e) => e instanceof McpError && e.code === -32602);
    });
  });
}
