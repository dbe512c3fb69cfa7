// The peer: a minimal Node reverse proxy (node:http, keep-alive agent) in front of
// the same upstream, i.e. what a Node-based gateway costs per request.
// Usage: node node_proxy.mjs LISTEN_PORT UPSTREAM_PORT
import http from "node:http";

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

http
  .createServer((req, res) => {
    const upstream = http.request(
      { host: "127.0.0.1", port: upstreamPort, path: "/json", method: "GET", agent },
      (up) => {
        res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] });
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.resume();
    upstream.end();
  })
  .listen(listenPort, "127.0.0.1", () => console.log(`node proxy on ${listenPort}`));
