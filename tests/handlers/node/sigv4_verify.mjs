// aslrun's SigV4 checked by an implementation we did not write: @aws-sdk/signature-v4.
// 1. 300 generated Lambda-shaped requests (names, ARNs, qualifiers, tokens, UTF-8 bodies, odd
//    header spacing, dates and regions) signed by aslrun (http_tool sign) and by the SDK.
// 2. End to end: aslrun's HTTP client (http_tool invoke) calls a server here, which recomputes
//    every request's signature from what arrived on the wire and answers whether it matches.
// Usage: node sigv4_verify.mjs PATH/TO/http_tool
import { SignatureV4 } from "@aws-sdk/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";

const tool = process.argv[2];
let failures = 0;
const fail = (msg) => {
  failures++;
  console.error("FAIL: " + msg);
};

// a deterministic generator, so a failure can be reproduced
let seed = 12345;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = (a) => a[rand(a.length)];
const word = (chars, min, max) => {
  let s = "";
  const n = min + rand(max - min + 1);
  for (let i = 0; i < n; i++) s += chars[rand(chars.length)];
  return s;
};
const NAME = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"];

function functionId() {
  const name = word(NAME, 1, 64);
  const region = pick(REGIONS);
  const account = word("0123456789", 12, 12);
  return pick([name, `${account}:function:${name}`, `arn:aws:lambda:${region}:${account}:function:${name}`]);
}

// RFC 3986 encoding, as the Invoke API's path wants the function name
const enc = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

function amzDate(d) {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function genCase() {
  const date = new Date(Date.UTC(2015 + rand(15), rand(12), 1 + rand(28), rand(24), rand(60), rand(60)));
  const region = pick(REGIONS);
  const host = pick([`lambda.${region}.amazonaws.com`, "127.0.0.1:" + (1024 + rand(60000)), "localhost"]);
  const qualifier = pick([null, null, "$LATEST", String(rand(100)), word(NAME, 1, 20)]);
  const headers = [
    ["Host", host],
    ["X-Amz-Date", amzDate(date)],
    ["X-Amz-Invocation-Type", pick(["RequestResponse", "Event", "DryRun"])],
    ["X-Amz-Log-Type", pick(["Tail", "None"])],
    ["Content-Type", "application/json"],
  ];
  if (rand(2)) headers.push(["X-Amz-Security-Token", word(B64, 20, 400) + "=="]);
  if (rand(3) === 0) headers.push(["X-Custom-Spacing", "  a   b \t c  "]);
  const body = JSON.stringify(pick([{}, { k: "v" }, { text: "café ☕ 𝄞", n: rand(1e9) }, [1, 2, 3], "HelloWorld", null]));
  return {
    method: pick(["POST", "POST", "GET"]),
    path: `/2015-03-31/functions/${enc(functionId())}/invocations`,
    query: qualifier === null ? [] : [["Qualifier", qualifier]],
    headers,
    body,
    date: amzDate(date),
    signingDate: date,
    region,
    service: pick(["lambda", "lambda", "service"]),
    key: "AKID" + word("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 12, 16),
    secret: word(B64, 40, 40),
  };
}

async function sdkSign(c) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: c.key, secretAccessKey: c.secret },
    region: c.region,
    service: c.service,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const headers = {};
  for (const [k, v] of c.headers) headers[k.toLowerCase()] = v;
  const query = {};
  for (const [k, v] of c.query) query[k] = v;
  const signed = await signer.sign(
    { method: c.method, protocol: "https:", hostname: "h", path: c.path, query, headers, body: c.body },
    { signingDate: c.signingDate }
  );
  return signed.headers.authorization;
}

async function generated() {
  const cases = [];
  for (let i = 0; i < 300; i++) cases.push(genCase());
  const input = JSON.stringify(cases.map(({ signingDate, ...rest }) => rest));
  const run = spawnSync(tool, ["sign"], { input, encoding: "utf8" });
  if (run.status !== 0) {
    fail(`http_tool sign exited ${run.status}: ${run.stderr}`);
    return;
  }
  const ours = JSON.parse(run.stdout);
  for (let i = 0; i < cases.length; i++) {
    const theirs = await sdkSign(cases[i]);
    if (theirs !== ours[i].authorization) {
      fail(`case ${i}: ${JSON.stringify(cases[i])}\n  aslrun: ${ours[i].authorization}\n  sdk:    ${theirs}\n  canonical (aslrun):\n${ours[i].canonical}`);
      if (failures > 5) return;
    }
  }
  console.log(`generated: ${cases.length} requests, aslrun and @aws-sdk/signature-v4 agree on ${cases.length - failures}`);
}

// ---- end to end ----

const CREDS = { accessKeyId: "AKIDE2ETEST", secretAccessKey: "e2e/secret+key=with/odd+chars", sessionToken: "FwoGZXIvYXdzE//token+/=" };

async function verify(req, body) {
  const auth = req.headers["authorization"] || "";
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return `malformed Authorization: ${auth}`;
  const [, akid, , region, service, signedList] = m;
  if (akid !== CREDS.accessKeyId) return `wrong key id ${akid}`;
  if (service !== "lambda") return `wrong service ${service}`;
  const headers = {};
  for (const name of signedList.split(";")) {
    if (req.headers[name] === undefined) return `signed header ${name} was not sent`;
    headers[name] = req.headers[name];
  }
  for (const must of ["host", "x-amz-date", "x-amz-security-token", "x-amz-invocation-type", "x-amz-log-type"])
    if (!(must in headers)) return `${must} is not signed (${signedList})`;
  const [path, qs] = req.url.split("?");
  const query = {};
  for (const [k, v] of new URLSearchParams(qs || "")) query[k] = v;
  const d = headers["x-amz-date"];
  const signingDate = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
  if (Math.abs(signingDate - Date.now()) > 5 * 60 * 1000) return `X-Amz-Date ${d} is not now`;
  const signer = new SignatureV4({
    credentials: { accessKeyId: CREDS.accessKeyId, secretAccessKey: CREDS.secretAccessKey },
    region, service: "lambda", sha256: Sha256, uriEscapePath: true, applyChecksum: false,
  });
  const signed = await signer.sign({ method: req.method, protocol: "http:", hostname: "h", path, query, headers, body }, { signingDate });
  return signed.headers.authorization === auth ? null : `signature mismatch:\n  sent: ${auth}\n  sdk:  ${signed.headers.authorization}`;
}

async function endToEnd() {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const why = await verify(req, body);
      seen.push({ url: req.url, region: /\/(\d{8})\/([^/]+)\//.exec(req.headers.authorization || "")?.[2] });
      const out = JSON.stringify({ verified: why === null, why });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out), "x-amzn-RequestId": "e2e" });
      res.end(out);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  const requests = [];
  for (let i = 0; i < 40; i++) {
    const fn = functionId();
    const payload = pick([{}, { text: "café ☕", i }, [i, "x y"], "str"]);
    if (rand(2)) {
      const params = { FunctionName: fn, Payload: payload };
      if (!fn.includes(":") && rand(2)) params.Qualifier = pick(["$LATEST", "7", "live_1"]);
      requests.push({ resource: "arn:aws:states:::lambda:invoke", style: "invoke", input: params });
    } else {
      const arn = fn.startsWith("arn:") ? fn : `arn:aws:lambda:${pick(REGIONS)}:123456789012:function:${fn.split(":").pop()}`;
      requests.push({ resource: arn + pick(["", ":prod", ":3"]), style: "arn", input: payload });
    }
  }
  const env = { ...process.env, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDS.sessionToken, AWS_REGION: "eu-central-1", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
  delete env.AWS_PROFILE;
  const child = spawn(tool, ["invoke", `http://127.0.0.1:${port}`], { env, stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stdin.end(JSON.stringify(requests));
  const status = await new Promise((r) => child.on("close", r));
  server.close();
  if (status !== 0) return fail(`http_tool invoke exited ${status}`);
  const results = JSON.parse(out);
  let ok = 0;
  results.forEach((r, i) => {
    const v = r.status === "ok" ? (requests[i].style === "invoke" ? r.value.Payload : r.value) : null;
    if (!v || v.verified !== true) fail(`request ${i} ${JSON.stringify(requests[i])}: ${JSON.stringify(r)}`);
    else ok++;
  });
  // the region of the scope: an ARN's own, else AWS_REGION
  seen.forEach((s) => {
    const arnRegion = /arn%3Aaws[a-z-]*%3Alambda%3A([a-z0-9-]+)%3A/.exec(s.url)?.[1];
    const want = arnRegion || "eu-central-1";
    if (s.region !== want) fail(`${s.url} was signed for ${s.region}, not ${want}`);
  });
  console.log(`end to end: ${ok} of ${results.length} requests sent by aslrun verified by @aws-sdk/signature-v4`);
}

await generated();
await endToEnd();
process.exit(failures ? 1 : 0);
