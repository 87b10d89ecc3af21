// A stand-in for Meta's Graph API for `npm run test:firebase`: the WhatsApp replies of both runs of the smoke
// flow go here instead of to Meta (nothing here may talk to Meta). It accepts every send and mark-read, and
// answers a sent message with a fresh message id, as the Cloud API does.
import http from "node:http";

export function startFakeGraph() {
  let next = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || !/\/messages$/.test(req.url ?? "")) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 100, message: "Unsupported request" } }));
        return;
      }
      res.end(JSON.stringify({ messages: [{ id: `wamid.fake.${++next}` }], success: true }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
