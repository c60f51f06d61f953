/* The help texts: short, exact, and listing every option of each command. */
#include "cli.h"

const char cli_help_main[] =
    "usage: aslrun [run] MACHINE [options]      run a state machine\n"
    "       aslrun validate FILE... [options]  check state machine definitions\n"
    "       aslrun serve [options]             serve the Step Functions API on localhost\n"
    "       aslrun help [COMMAND]              show the help of aslrun or of a command\n"
    "       aslrun --version                   show the version\n"
    "\n"
    "aslrun runs Amazon States Language state machines locally, with AWS Step Functions'\n"
    "semantics. 'aslrun COMMAND --help' shows the options of a command.\n";

const char cli_help_run[] =
    "usage: aslrun [run] MACHINE [options]\n"
    "\n"
    "Runs the state machine defined in the JSON file MACHINE and prints its output.\n"
    "\n"
    "options:\n"
    "  --input JSON             the execution input (default: {})\n"
    "  --input-file FILE        read the input from FILE ('-': standard input)\n"
    "  --describe               print {\"status\", \"output\", \"error\", \"cause\", \"name\",\n"
    "                           \"executionArn\", \"startDate\", \"stopDate\"} as DescribeExecution\n"
    "  --virtual-time           waits take no real time; timestamps still advance\n"
    "  --history FILE           write the execution history ({\"events\": [...]}) to FILE\n"
    "  --name NAME              the execution name (default: a random UUID)\n"
    "  --state-machine-arn ARN  the state machine's ARN (default: account 123456789012,\n"
    "                           us-east-1, named after MACHINE without .json)\n"
    "  --role-arn ARN           the execution role ARN seen in $$.Execution.RoleArn\n"
    "  --payload-limit BYTES    largest input, result or output of a state, or 'none'\n"
    "                           (default: 262144, AWS's quota)\n"
    "  --config FILE            the handlers of Task states (default: aslrun.json beside\n"
    "                           MACHINE, when there is one)\n"
    "  --mock-config FILE       a Step Functions Local MockConfigFile; the machine's key in it is\n"
    "                           MACHINE's name without .json, or the name in --state-machine-arn\n"
    "  --test-case NAME         the test case of --mock-config to run\n"
    "  --cold                   a fresh worker for every Python invocation (no warm starts)\n"
    "  --trace[=text|json]      print each step on stderr: states, handler calls, errors,\n"
    "                           retries and catches (json: one JSON object a line)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 succeeded; 1 failed, timed out or aborted (\"Error: Cause\" on stderr);\n"
    "2 invalid definition, input, configuration or usage; 130 interrupted by Ctrl-C.\n";

const char cli_help_validate[] =
    "usage: aslrun validate FILE... [options]\n"
    "\n"
    "Checks state machine definitions and prints every problem of every file as\n"
    "FILE:LINE:COL: /POINTER: MESSAGE.\n"
    "\n"
    "options:\n"
    "  --format text|json  json: one array of {\"file\", \"line\", \"column\", \"pointer\",\n"
    "                      \"message\"} (default: text)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 all valid; 1 problems found; 2 unreadable file or usage error.\n";

const char cli_help_help[] =
    "usage: aslrun help [COMMAND]\n"
    "\n"
    "Shows the help of aslrun, or of COMMAND (run, validate, help).\n"
    "\n"
    "options:\n"
    "  -h, --help  show this help\n";
