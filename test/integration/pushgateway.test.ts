/**
 * The Pushgateway the restore drill reports to, run as the stack renders it: the real
 * prometheus-pushgateway binary with the container's own arguments (the persistence file moved
 * into a scratch directory), its readiness and liveness probes' paths answering, and a pushed
 * result surviving a restart, as it must when the pod is rescheduled between a drill and the scrape.
 */
import { renderPushgateway } from "../../components/monitoring/pushgateway";
import { freePort, hasBinary, runTool, startProcess, tempDir, waitForPort } from "./real-tools";

const BINARY = "prometheus-pushgateway";
const run = hasBinary(BINARY) ? describe : describe.skip;

run("the Pushgateway as rendered, on the real binary", () => {
  const rendered = renderPushgateway({ namespace: "mcp-test", monitoringNamespace: "monitoring", image: { repository: "prom/pushgateway", tag: "v1.11.1" }, clients: [], release: "kube-prometheus-stack" });
  const container = (rendered.statefulSet.spec as { template: { spec: { containers: { args: string[]; readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; volumeMounts: { mountPath: string }[] }[] } } }).template.spec.containers[0];
  const dir = tempDir("pushgateway-");
  const dataMount = container.volumeMounts[0].mountPath;
  // The rendered arguments, with the data volume's mount point moved to the scratch directory.
  const args = container.args.map((arg) => arg.replace(`=${dataMount}/`, `=${dir}/`));

  async function start(port: number) {
    const gateway = startProcess(BINARY, [...args, `--web.listen-address=127.0.0.1:${port}`]);
    await waitForPort(port);
    return gateway;
  }

  it("accepts the container's arguments and answers its probes' paths", async () => {
    expect(args.some((arg) => arg.startsWith(`--persistence.file=${dir}/`))).toBe(true);
    const port = await freePort();
    const gateway = await start(port);
    try {
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const answer = runTool("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${port}${probe.httpGet.path}`]);
        expect(answer.output.trim()).toBe("200");
      }
    } finally {
      await gateway.stop();
    }
  });

  it("keeps a pushed drill result across a restart (the persistence file)", async () => {
    const port = await freePort();
    let gateway = await start(port);
    const push = runTool("bash", ["-c", `printf 'restore_drill_success 1\\n' | curl -sS --fail --data-binary @- http://127.0.0.1:${port}/metrics/job/restore-drill/cluster/postgres`]);
    expect(push.status).toBe(0);
    await gateway.stop();
    gateway = await start(port);
    try {
      const served = runTool("curl", ["-sS", `http://127.0.0.1:${port}/metrics`]).output;
      expect(served).toMatch(/^restore_drill_success\{cluster="postgres",instance="",job="restore-drill"\} 1$/m);
    } finally {
      await gateway.stop();
    }
  });
});
