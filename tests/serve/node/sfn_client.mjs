// The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) against `aslrun serve`: every operation it
// drives parses, errors come back as the SDK's own exception classes, timestamps as Dates, and
// --check-auth accepts the SDK's SigV4 signature and refuses a wrong secret.
// Usage: node sfn_client.mjs ASLRUN SOURCE_ROOT
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as sfn from "@aws-sdk/client-sfn";

const [aslrun, root] = process.argv.slice(2);
const failures = [];
const check = (cond, what) => { if (!cond) { failures.push(what); console.log(`FAIL: ${what}`); } };
const eq = (a, b, what) => check(JSON.stringify(a) === JSON.stringify(b),
  `${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
const ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(aslrun, ["serve", "--port", "0", "--quiet", ...args],
      { env: { ...process.env, AWS_DEFAULT_REGION: "us-east-1", ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
      if (m) resolve({ proc: p, port: Number(m[1]) });
    });
    p.on("exit", (code) => reject(new Error(`aslrun serve exited with ${code}`)));
  });
}

function client(port, creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }) {
  return new sfn.SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1",
    credentials: creds, maxAttempts: 1,
    // StartSyncExecution goes to "sync-HOST" unless told not to, as with any local endpoint
    disableHostPrefix: true });
}

async function expectError(promise, cls, what, message) {
  try {
    await promise;
    check(false, `${what}: expected ${cls.name}`);
  } catch (e) {
    check(e instanceof cls, `${what}: ${e.name} is a ${cls.name}`);
    check(e.$metadata?.httpStatusCode === 400, `${what}: HTTP 400 (${e.$metadata?.httpStatusCode})`);
    if (message !== undefined) eq(e.message, message, `${what}: message`);
  }
}

async function waitDone(c, executionArn) {
  for (let i = 0; i < 3000; i++) {
    const d = await c.send(new sfn.DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    await sleep(10);
  }
  throw new Error(`${executionArn} did not finish`);
}

async function main() {
  const { proc, port } = await start(["--virtual-time", "--mock-config",
    `${root}/examples/error-handling/MockConfigFile.json`]);
  const c = client(port);
  try {
    const definition = readFileSync(`${root}/examples/error-handling/machine.json`, "utf8");
    const t0 = Date.now();
    const created = await c.send(new sfn.CreateStateMachineCommand({ name: "machine", definition, roleArn: ROLE }));
    const smArn = "arn:aws:states:us-east-1:123456789012:stateMachine:machine";
    eq(created.stateMachineArn, smArn, "create: arn");
    check(created.creationDate instanceof Date && Math.abs(created.creationDate - t0) < 60000,
      "create: creationDate is a Date near now");
    const desc = await c.send(new sfn.DescribeStateMachineCommand({ stateMachineArn: smArn }));
    eq([desc.name, desc.type, desc.status, desc.definition], ["machine", "STANDARD", "ACTIVE", definition], "describe");
    await expectError(c.send(new sfn.DescribeStateMachineCommand({ stateMachineArn: smArn + "X" })),
      sfn.StateMachineDoesNotExist, "describe a missing machine", `State Machine Does Not Exist: '${smArn}X'`);
    await expectError(c.send(new sfn.CreateStateMachineCommand({ name: "bad", definition: "{}", roleArn: ROLE })),
      sfn.InvalidDefinition, "create an invalid machine");

    // the tutorial's four status codes, by the mock config's test cases
    const expected = {
      Status200: { status: "SUCCEEDED", output: '"The request has succeeded."' },
      Status503: { status: "FAILED", error: "ServerUnavailable", cause: "The server is currently unable to handle the request." },
      Status429: { status: "SUCCEEDED", output: '"The request has succeeded."' },
      Status999: { status: "FAILED", error: "An error of unknown type occurred", cause: "Unknown error!" },
    };
    for (const [tc, want] of Object.entries(expected)) {
      const s = await c.send(new sfn.StartExecutionCommand({ stateMachineArn: `${smArn}#${tc}`, name: tc, input: "{}" }));
      check(s.startDate instanceof Date, `${tc}: startDate is a Date`);
      const d = await waitDone(c, s.executionArn);
      eq({ status: d.status, ...(d.output ? { output: d.output } : {}), ...(d.error ? { error: d.error, cause: d.cause } : {}) },
        want, `tutorial ${tc}`);
    }
    // history of the 429 run, through the SDK's paginator (3 events a page)
    const arn429 = "arn:aws:states:us-east-1:123456789012:execution:machine:Status429";
    const events = [];
    for await (const page of sfn.paginateGetExecutionHistory({ client: c, pageSize: 3 }, { executionArn: arn429 }))
      events.push(...page.events);
    eq(events.map((e) => e.id), events.map((_, i) => i + 1), "history: every event once, in order");
    eq(events.filter((e) => e.type === "LambdaFunctionFailed").length, 3, "history: three failed attempts");
    eq(events.at(-1).type, "ExecutionSucceeded", "history: the last event");
    check(events.every((e) => e.timestamp instanceof Date), "history: timestamps are Dates");
    const span = events.at(-1).timestamp - events[0].timestamp;
    check(span >= 4000, `history: the waits show in virtual time (${span} ms)`);
    const rev = await c.send(new sfn.GetExecutionHistoryCommand({ executionArn: arn429, reverseOrder: true, maxResults: 1 }));
    eq(rev.events[0].type, "ExecutionSucceeded", "history reversed");
    const listed = await c.send(new sfn.ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: "FAILED" }));
    eq(listed.executions.map((e) => e.name).sort(), ["Status503", "Status999"], "list failed executions");
    await expectError(c.send(new sfn.StartExecutionCommand({ stateMachineArn: smArn, name: "Status200" })),
      sfn.ExecutionAlreadyExists, "start an existing name");
    await expectError(c.send(new sfn.DescribeExecutionCommand({ executionArn: arn429 + "x" })),
      sfn.ExecutionDoesNotExist, "describe a missing execution");
    await expectError(c.send(new sfn.DescribeExecutionCommand({ executionArn: "nope" })),
      sfn.InvalidArn, "describe with a bad ARN", "Invalid Arn: 'Invalid ARN prefix: nope'");

    // validation, as Terraform calls it
    const ok = await c.send(new sfn.ValidateStateMachineDefinitionCommand({ definition }));
    eq([ok.result, ok.diagnostics], ["OK", []], "validate the tutorial");
    const bad = await c.send(new sfn.ValidateStateMachineDefinitionCommand({ definition: '{"StartAt": "A"}' }));
    eq(bad.result, "FAIL", "validate a bad definition");
    eq(bad.diagnostics.map((d) => [d.severity, d.code, d.location]), [["ERROR", "SCHEMA_VALIDATION_FAILED", "/"]], "diagnostics");

    // TestState with a mocked error that the state's catcher takes
    const call = JSON.parse(definition).States["Call API"];
    const ts = await c.send(new sfn.TestStateCommand({ definition: JSON.stringify(call), input: "{}",
      mock: { errorOutput: { error: "ServerUnavailableException", cause: "down" } } }));
    eq([ts.status, ts.error, ts.nextState], ["CAUGHT_ERROR", "ServerUnavailableException", "Server Unavailable"], "TestState");
    const ts2 = await c.send(new sfn.TestStateCommand({ definition: JSON.stringify(call), input: "{}",
      mock: { errorOutput: { error: "TooManyRequestsException", cause: "slow down" } } }));
    eq([ts2.status, ts2.inspectionData?.errorDetails?.retryIndex], ["RETRIABLE", 0], "TestState retriable");

    // Express, stop, tags, delete
    await c.send(new sfn.CreateStateMachineCommand({ name: "quick", type: "EXPRESS", roleArn: ROLE,
      definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }) }));
    const sync = await c.send(new sfn.StartSyncExecutionCommand({
      stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:quick", input: '{"a":1}' }));
    eq([sync.status, sync.output], ["SUCCEEDED", '{"a":1}'], "StartSyncExecution");
    check(sync.stopDate instanceof Date, "sync: stopDate");
    await expectError(c.send(new sfn.StartSyncExecutionCommand({ stateMachineArn: smArn })),
      sfn.StateMachineTypeNotSupported, "sync start of a standard machine");
    await c.send(new sfn.TagResourceCommand({ resourceArn: smArn, tags: [{ key: "k", value: "v" }] }));
    eq((await c.send(new sfn.ListTagsForResourceCommand({ resourceArn: smArn }))).tags, [{ key: "k", value: "v" }], "tags");
    await c.send(new sfn.UntagResourceCommand({ resourceArn: smArn, tagKeys: ["k"] }));
    eq((await c.send(new sfn.ListTagsForResourceCommand({ resourceArn: smArn }))).tags, [], "untagged");
    // a token aslrun never issued (sfn_callbacks.mjs answers real ones)
    await expectError(c.send(new sfn.SendTaskSuccessCommand({ taskToken: "t", output: "{}" })),
      sfn.InvalidToken, "SendTaskSuccess with a made-up token", "Invalid Token: 'Invalid token'");
    const sms = await c.send(new sfn.ListStateMachinesCommand({}));
    eq(sms.stateMachines.map((m) => m.name), ["machine", "quick"], "list state machines");
    await c.send(new sfn.DeleteStateMachineCommand({ stateMachineArn: smArn }));
    await expectError(c.send(new sfn.DescribeStateMachineCommand({ stateMachineArn: smArn })),
      sfn.StateMachineDoesNotExist, "describe a deleted machine");
    // executions outlive their machine, as on AWS
    eq((await c.send(new sfn.DescribeExecutionCommand({ executionArn: arn429 }))).status, "SUCCEEDED",
      "an execution of a deleted machine");
    const forExec = await c.send(new sfn.DescribeStateMachineForExecutionCommand({ executionArn: arn429 }));
    eq(forExec.definition, definition, "DescribeStateMachineForExecution");
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
  }
  check(proc.exitCode === 0, `exit status 0 (${proc.exitCode})`);

  // --check-auth: the SDK's signature passes, a wrong secret does not
  const auth = await start(["--check-auth"], { AWS_ACCESS_KEY_ID: "AKIDSERVE", AWS_SECRET_ACCESS_KEY: "s3cret" });
  try {
    const good = client(auth.port, { accessKeyId: "AKIDSERVE", secretAccessKey: "s3cret" });
    eq((await good.send(new sfn.ListStateMachinesCommand({}))).stateMachines, [], "signed by the right key");
    const wrong = client(auth.port, { accessKeyId: "AKIDSERVE", secretAccessKey: "nope" });
    try {
      await wrong.send(new sfn.ListStateMachinesCommand({}));
      check(false, "a wrong secret is refused");
    } catch (e) {
      eq(e.name, "InvalidSignatureException", "wrong secret: the error");
    }
    const other = client(auth.port, { accessKeyId: "AKIDOTHER", secretAccessKey: "s3cret" });
    try {
      await other.send(new sfn.ListStateMachinesCommand({}));
      check(false, "another key is refused");
    } catch (e) {
      eq(e.name, "UnrecognizedClientException", "another key: the error");
    }
  } finally {
    auth.proc.kill("SIGTERM");
    await new Promise((r) => auth.proc.on("exit", r));
  }
  if (failures.length) {
    console.log(`serve/node: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log("serve/node: all checks passed");
}

main().catch((e) => { console.log(`FAIL: ${e.stack}`); process.exit(1); });
