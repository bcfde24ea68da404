"""Other IAM evaluators, run on the same batch file as ``iamdesk simulate`` for comparison.

They are not dependencies of iamdesk: install them into a throwaway place and point the
benchmark at them (each is skipped when its variable is unset or the tool is missing):

    python3 -m venv /tmp/peers/venv && /tmp/peers/venv/bin/pip install principalmapper==1.1.5
    (cd /tmp/peers && npm install @cloud-copilot/iam-simulate@0.1.173)
    IAMDESK_BENCH_PMAPPER_PYTHON=/tmp/peers/venv/bin/python \
    IAMDESK_BENCH_IAM_SIMULATE=/tmp/peers/node_modules \
        .venv/bin/python tests/benchmarks/bench_evaluator.py

Each harness reads the whole file first, then evaluates every case (JSON decoding included, as
``iamdesk simulate`` does) and reports the CPU seconds of that loop, without process start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PMAPPER = r"""
import collections, collections.abc, json, sys, time
# principalmapper 1.1.5 predates Python 3.10, which removed these aliases.
for _name in ("Mapping", "MutableMapping", "Iterable"):
    setattr(collections, _name, getattr(collections.abc, _name))
from principalmapper.common import Node, Policy
from principalmapper.querying.query_interface import local_check_authorization_full

lines = [x for x in open(sys.argv[1]).read().splitlines() if x.strip()]
start = time.process_time()
allowed = 0
for line in lines:
    case = json.loads(line)
    arn = case["principal"]["arn"]
    policies = [Policy(arn, f"p{i}", d) for i, d in enumerate(case["identity_policies"])]
    boundary = case.get("permissions_boundary")
    boundary = Policy(arn, "boundary", boundary) if boundary else None
    node = Node(arn, "AIDAEXAMPLE", policies, [], None, None, 0, False, False, boundary, False, {})
    scps = [
        [Policy(f"arn:aws:organizations::1:policy/s{i}{j}", "scp", d) for j, d in enumerate(level)]
        for i, level in enumerate(case.get("scps") or [])
    ] or None
    request = case["request"]
    # principalmapper reads the service out of the resource ARN when given a resource policy.
    resource_policy = case.get("resource_policy") if request["resource"] != "*" else None
    if local_check_authorization_full(
        node,
        request["action"],
        request["resource"],
        dict(request.get("context") or {}),
        resource_policy,
        case.get("resource_account"),
        scps,
        case.get("session_policy"),
    ):
        allowed += 1
print(json.dumps({"cases": len(lines), "cpu": time.process_time() - start, "allowed": allowed}))
"""

IAM_SIMULATE = r"""
const fs = require('fs');
const where = { paths: [process.argv[1]] };
const { runSimulation } = require(require.resolve('@cloud-copilot/iam-simulate', where));
(async () => {
  const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((x) => x.trim());
  const start = process.cpuUsage();
  let allowed = 0;
  for (const line of lines) {
    const c = JSON.parse(line);
    const named = (p, name) => ({ name, policy: p });
    const levels = (v, tag) =>
      (v || []).map((level, i) => ({
        orgIdentifier: `${tag}${i}`,
        policies: level.map((p, j) => named(p, `${tag}${i}-${j}`)),
      }));
    const result = await runSimulation(
      {
        request: {
          principal: c.principal.arn,
          action: c.request.action,
          resource: { resource: c.request.resource, accountId: c.resource_account },
          contextVariables: c.request.context || {},
        },
        identityPolicies: c.identity_policies.map((p, i) => named(p, `identity${i}`)),
        serviceControlPolicies: levels(c.scps, 'ou'),
        resourceControlPolicies: levels(c.rcps, 'rou'),
        resourcePolicy: c.resource_policy || undefined,
        sessionPolicy: c.session_policy || undefined,
        permissionBoundaryPolicies: c.permissions_boundary
          ? [named(c.permissions_boundary, 'boundary')]
          : undefined,
      },
      {}
    );
    if (JSON.stringify(result).includes('"Allowed"')) allowed += 1;
  }
  const used = process.cpuUsage(start);
  const cpu = (used.user + used.system) / 1e6;
  console.log(JSON.stringify({ cases: lines.length, cpu, allowed }));
})();
"""


def _run(command: list[str]) -> dict[str, float] | None:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    except subprocess.CalledProcessError as exc:
        print(f"  ({Path(command[0]).name} failed: {exc.stderr.strip().splitlines()[-1:]})")
        return None
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  ({Path(command[0]).name} failed: {exc})")
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def principalmapper(cases: Path) -> dict[str, float] | None:
    python = os.environ.get("IAMDESK_BENCH_PMAPPER_PYTHON")
    if not python or not Path(python).exists():
        return None
    return _run([python, "-c", PMAPPER, str(cases)])


def iam_simulate(cases: Path) -> dict[str, float] | None:
    modules = os.environ.get("IAMDESK_BENCH_IAM_SIMULATE")
    node = shutil.which("node")
    if not modules or node is None or not (Path(modules) / "@cloud-copilot").exists():
        return None
    return _run([node, "-e", IAM_SIMULATE, modules, str(cases)])
