// The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) drives task tokens and redrive against
// `aslrun serve`: a .waitForTaskToken Task answered by SendTaskSuccess and by SendTaskFailure,
// kept alive by SendTaskHeartbeat and ended by its HeartbeatSeconds, then RedriveExecution of the
// failed execution; AWS's errors arrive as the SDK's own exception classes (TaskTimedOut,
// InvalidToken, ExecutionNotRedrivable).
// Usage: node sfn_callbacks.mjs ASLRUN SOURCE_ROOT
import { spawn } from "node:child_process";
import * as sfn from "@aws-sdk/client-sfn";

const [aslrun] = process.argv.slice(2);
const failures = [];
const check = (cond, what) => { if (!cond) { failures.push(what); console.log(`FAIL: ${what}`); } };
const eq = (a, b, what) => check(JSON.stringify(a) === JSON.stringify(b),
  `${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
const ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole";
const SM = "arn:aws:states:us-east-1:123456789012:stateMachine:approve";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(aslrun, ["serve", "--port", "0", "--quiet", ...args],
      { env: { ...process.env, AWS_DEFAULT_REGION: "us-east-1" }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
      if (m) resolve({ proc: p, port: Number(m[1]) });
    });
    p.on("exit", (code) => reject(new Error(`aslrun serve exited with ${code}`)));
  });
}

async function expectError(promise, cls, what, message) {
  try {
    await promise;
    check(false, `${what}: expected ${cls.name}`);
  } catch (e) {
    check(e instanceof cls, `${what}: ${e.name} is a ${cls.name}`);
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

// The token of the [n]-th Task of [executionArn] to wait for one, from its TaskScheduled event.
async function token(c, executionArn, n) {
  for (let i = 0; i < 3000; i++) {
    const { events } = await c.send(new sfn.GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    if (events.filter((e) => e.type === "TaskSubmitted").length >= n) {
      const sched = events.filter((e) => e.type === "TaskScheduled");
      return JSON.parse(sched[n - 1].taskScheduledEventDetails.parameters).MessageBody.token;
    }
    await sleep(10);
  }
  throw new Error(`${executionArn}: no task waits`);
}

const GONE = "Task Timed Out: 'Provided task does not exist anymore'";

async function main() {
  const { proc, port } = await start(["--virtual-time"]);
  const c = new sfn.SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
  try {
    const definition = JSON.stringify({ StartAt: "Approve", States: { Approve: {
      Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      HeartbeatSecondsPath: "$.hb", ResultPath: "$.answer", End: true,
      Parameters: { QueueUrl: "q", MessageBody: { "token.$": "$$.Task.Token" } } } } });
    await c.send(new sfn.CreateStateMachineCommand({ name: "approve", definition, roleArn: ROLE }));

    // SendTaskHeartbeat, then SendTaskSuccess
    const a = await c.send(new sfn.StartExecutionCommand({ stateMachineArn: SM, name: "a", input: '{"hb": 30}' }));
    const ta = await token(c, a.executionArn, 1);
    await c.send(new sfn.SendTaskHeartbeatCommand({ taskToken: ta }));
    await c.send(new sfn.SendTaskSuccessCommand({ taskToken: ta, output: '{"approved": true}' }));
    const da = await waitDone(c, a.executionArn);
    eq([da.status, JSON.parse(da.output)], ["SUCCEEDED", { hb: 30, answer: { approved: true } }], "SendTaskSuccess");
    eq([da.redriveCount, da.redriveStatus], [0, "NOT_REDRIVABLE"], "a success is not redrivable");
    await expectError(c.send(new sfn.SendTaskSuccessCommand({ taskToken: ta, output: "{}" })),
      sfn.TaskTimedOut, "a token answered twice", GONE);
    await expectError(c.send(new sfn.SendTaskHeartbeatCommand({ taskToken: "made-up" })),
      sfn.InvalidToken, "a made-up token", "Invalid Token: 'Invalid token'");
    const { events } = await c.send(new sfn.GetExecutionHistoryCommand({ executionArn: a.executionArn }));
    eq(events.map((e) => e.type).slice(2, 7), ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"],
      "a callback task's history");
    eq(events.find((e) => e.type === "TaskSubmitted").taskSubmittedEventDetails,
      { resourceType: "sqs", resource: "sendMessage.waitForTaskToken" }, "TaskSubmitted's details");

    // SendTaskFailure, then RedriveExecution and SendTaskSuccess
    const b = await c.send(new sfn.StartExecutionCommand({ stateMachineArn: SM, name: "b", input: '{"hb": 30}' }));
    const tb = await token(c, b.executionArn, 1);
    await c.send(new sfn.SendTaskFailureCommand({ taskToken: tb, error: "Rejected", cause: "over budget" }));
    const db = await waitDone(c, b.executionArn);
    eq([db.status, db.error, db.cause, db.redriveStatus], ["FAILED", "Rejected", "over budget", "REDRIVABLE"], "SendTaskFailure");
    const r = await c.send(new sfn.RedriveExecutionCommand({ executionArn: b.executionArn }));
    check(r.redriveDate instanceof Date, "RedriveExecution: redriveDate is a Date");
    const tb2 = await token(c, b.executionArn, 2);
    check(tb2 !== tb, "the redriven Task waits for a new token");
    await c.send(new sfn.SendTaskSuccessCommand({ taskToken: tb2, output: '"approved"' }));
    const db2 = await waitDone(c, b.executionArn);
    eq([db2.status, JSON.parse(db2.output).answer, db2.redriveCount], ["SUCCEEDED", "approved", 1], "redrive, then success");
    check(db2.redriveDate instanceof Date && db2.redriveDate.getTime() === r.redriveDate.getTime(), "DescribeExecution's redriveDate");
    const hist = await c.send(new sfn.GetExecutionHistoryCommand({ executionArn: b.executionArn, maxResults: 1000 }));
    const redriven = hist.events.find((e) => e.type === "ExecutionRedriven");
    eq(redriven?.executionRedrivenEventDetails, { redriveCount: 1 }, "ExecutionRedriven's details");
    await expectError(c.send(new sfn.RedriveExecutionCommand({ executionArn: b.executionArn })),
      sfn.ExecutionNotRedrivable, "redrive a success", "Execution is SUCCEEDED and cannot be redriven.");
    const listed = await c.send(new sfn.ListExecutionsCommand({ stateMachineArn: SM, redriveFilter: "REDRIVEN" }));
    eq(listed.executions.map((e) => [e.name, e.redriveCount]), [["b", 1]], "ListExecutions redriveFilter");

    // HeartbeatSeconds without a heartbeat
    const h = await c.send(new sfn.StartExecutionCommand({ stateMachineArn: SM, name: "h", input: '{"hb": 1}' }));
    const th = await token(c, h.executionArn, 1);
    const dh = await waitDone(c, h.executionArn);
    eq([dh.status, dh.error], ["FAILED", "States.HeartbeatTimeout"], "heartbeat timeout");
    await expectError(c.send(new sfn.SendTaskSuccessCommand({ taskToken: th, output: "{}" })),
      sfn.TaskTimedOut, "SendTaskSuccess after the heartbeat timeout", GONE);
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
  }
  check(proc.exitCode === 0, `exit status 0 (${proc.exitCode})`);
  if (failures.length) {
    console.log(`serve/node callbacks: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log("serve/node callbacks: all checks passed");
}

main().catch((e) => { console.log(`FAIL: ${e.stack}`); process.exit(1); });
