// `aslrun lambda serve` checked with a client we did not write: @aws-sdk/client-lambda invokes
// the functions of tests/handlers/http/aslrun.json through it, as it would invoke them on AWS.
// Usage: node client_lambda.mjs SERVER_PROGRAM CONFIG [ARGS...]
//   SERVER_PROGRAM ARGS... CONFIG must print "PORT <n>" (or just the port) once it listens.
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { spawn } from "node:child_process";
import assert from "node:assert/strict";

const [program, config, ...extra] = process.argv.slice(2);
const server = spawn(program, [...extra, config], { stdio: ["ignore", "pipe", "pipe"] });
let serverLog = "";
server.stderr.on("data", (d) => (serverLog += d));
const port = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = /(\d+)\s*$/m.exec(out);
    if (m && out.includes("\n")) resolve(Number(m[1]));
  });
  server.on("exit", (code) => reject(new Error(`server exited ${code}: ${serverLog}`)));
  server.on("error", reject);
});

const client = new LambdaClient({
  endpoint: `http://127.0.0.1:${port}`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  maxAttempts: 1,
});
const enc = (v) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const dec = (b) => new TextDecoder().decode(b);
const invoke = (params) => client.send(new InvokeCommand(params));
let checks = 0;
const check = async (name, fn) => {
  try {
    await fn();
    checks++;
  } catch (e) {
    console.error(`FAIL ${name}: ${e.stack || e}`);
    process.exitCode = 1;
  }
};
const rejects = async (params, name, status, message) => {
  try {
    await invoke(params);
  } catch (e) {
    assert.equal(e.name, name);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${name}`);
};

await check("a result, byte for byte", async () => {
  const r = await invoke({ FunctionName: "Echo", Payload: enc({ a: [1, "café"], b: null }) });
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, undefined);
  assert.equal(r.ExecutedVersion, "$LATEST");
  assert.equal(dec(r.Payload), '{"a": [1, "caf\\u00e9"], "b": null}'); // Python's json.dumps
});

await check("a function error with the log tail", async () => {
  const r = await invoke({ FunctionName: "Boom", Payload: enc({}), LogType: "Tail" });
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, "Unhandled");
  const p = JSON.parse(dec(r.Payload));
  assert.equal(p.errorType, "CustomError");
  assert.equal(p.errorMessage, "bad thing");
  const log = Buffer.from(r.LogResult, "base64").toString();
  assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(log, /\[ERROR\] CustomError: bad thing/);
  assert.match(log, /REPORT RequestId: /);
  assert.match(r.$metadata.requestId, /^[0-9a-f-]{36}$/);
  assert.ok(log.includes(r.$metadata.requestId));
});

await check("the error-handling tutorial's four answers", async () => {
  const ok = await invoke({ FunctionName: "MockAPIFunction", Payload: enc({ statuscode: "200" }) });
  assert.equal(ok.FunctionError, undefined);
  assert.equal(JSON.parse(dec(ok.Payload)).statusCode, 200);
  for (const [code, type] of [["429", "TooManyRequestsException"], ["503", "ServerUnavailableException"], ["500", "UnknownException"]]) {
    const r = await invoke({ FunctionName: "MockAPIFunction", Payload: enc({ statuscode: code }) });
    assert.equal(r.FunctionError, "Unhandled");
    assert.equal(JSON.parse(dec(r.Payload)).errorType, type);
  }
});

await check("qualifiers and ARNs", async () => {
  const r = await invoke({ FunctionName: "Echo", Qualifier: "5", Payload: enc(1) });
  assert.equal(r.ExecutedVersion, "5");
  const a = await invoke({ FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:Echo:live", Payload: enc('"x"') });
  assert.equal(a.ExecutedVersion, "$LATEST");
  assert.equal(dec(a.Payload), '"x"');
});

await check("process functions", async () => {
  const r = await invoke({ FunctionName: "Shell", Payload: enc({ z: 1 }) });
  assert.equal(dec(r.Payload), '{"z":1}');
  const f = await invoke({ FunctionName: "ShellJsonFail", Payload: enc({}) });
  assert.equal(f.FunctionError, "Unhandled");
  assert.equal(JSON.parse(dec(f.Payload)).errorType, "BadInput");
});

await check("invocation types", async () => {
  const e = await invoke({ FunctionName: "Echo", InvocationType: "Event", Payload: enc({}) });
  assert.equal(e.StatusCode, 202);
  const d = await invoke({ FunctionName: "Echo", InvocationType: "DryRun" });
  assert.equal(d.StatusCode, 204);
});

await check("the service's errors, as the SDK's exceptions", async () => {
  await rejects({ FunctionName: "NoSuchFunction", Payload: enc({}) }, "ResourceNotFoundException", 404,
    /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction:\$LATEST$/);
  await rejects({ FunctionName: "Echo", Payload: enc("{not json") }, "InvalidRequestContentException", 400,
    /^Could not parse request body into json/);
  const big = "x".repeat(7 * 1024 * 1024);
  await rejects({ FunctionName: "Echo", Payload: enc(big) }, "RequestTooLargeException", 413,
    /Request must be smaller than 6291456 bytes/);
  await rejects({ FunctionName: "Echo:1", Qualifier: "2" }, "InvalidParameterValueException", 400);
});

await check("a timeout and a result over 6 MB, as Lambda reports them", async () => {
  const t = await invoke({ FunctionName: "Sleeper", Payload: enc({ s: 5 }) });
  assert.equal(t.FunctionError, "Unhandled");
  assert.equal(JSON.parse(dec(t.Payload)).errorType, "Sandbox.Timedout");
  const b = await invoke({ FunctionName: "Big", Payload: enc({}) });
  assert.equal(JSON.parse(dec(b.Payload)).errorType, "Function.ResponseSizeTooLarge");
});

await check("500 calls, 50 at a time, on kept-alive connections", async () => {
  let next = 0;
  const worker = async () => {
    while (next < 500) {
      const i = next++;
      const r = await invoke({ FunctionName: "Echo", Payload: enc({ i }) });
      assert.equal(dec(r.Payload), `{"i": ${i}}`);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
});

client.destroy();
server.kill("SIGTERM");
const code = await new Promise((r) => server.on("exit", (c, s) => r(c ?? s)));
if (code !== 0) {
  console.error(`FAIL: the server exited with ${code}\n${serverLog.slice(-4000)}`);
  process.exitCode = 1;
}
console.log(`@aws-sdk/client-lambda against aslrun lambda serve: ${checks} groups of checks passed`);
