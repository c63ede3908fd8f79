/** monitoring/alert-source: each exporter an alert may read, present and absent (lib/alert-sources.ts). */
import { describe, expect, it } from 'vitest';
import { kubeStateMetricsCollectors } from '../../validation/rules/alert-sources';
import { literalValues, selectorsOf, sourceOf } from '../../lib/alert-sources';
import { findings, type M } from '../fixtures/rules/factories';
import {
  DISK_PRESSURE,
  NODE_DISK,
  alertRule,
  istioScraped,
  monitoringStack,
  postgresCluster,
  probe,
  release,
} from '../fixtures/rules/alert-sources';

const RULE = 'monitoring/alert-source';
const messages = (objects: M[]) => findings(objects, RULE).map((v) => v.message);

describe('monitoring/alert-source', () => {
  it('fails an alert on node-exporter series when the stack runs without node-exporter, and passes with it', () => {
    expect(messages([alertRule(NODE_DISK), monitoringStack({ nodeExporter: { enabled: false } })])).toEqual([
      "alert NodeDiskUsageHigh reads node_filesystem_avail_bytes, which only node-exporter exports, and kube-prometheus-stack's spec.values.nodeExporter.enabled is false: the alert cannot see its data",
      "alert NodeDiskUsageHigh reads node_filesystem_size_bytes, which only node-exporter exports, and kube-prometheus-stack's spec.values.nodeExporter.enabled is false: the alert cannot see its data",
    ]);
    expect(messages([alertRule(NODE_DISK), monitoringStack({})])).toEqual([]);
    expect(messages([alertRule(DISK_PRESSURE), monitoringStack({ nodeExporter: { enabled: false } })])).toEqual([]);
  });

  it('fails every series when no kube-prometheus-stack is installed', () => {
    expect(messages([alertRule(DISK_PRESSURE)])).toEqual([
      'alert NodeDiskPressure reads kube_node_status_condition, and no kube-prometheus-stack release in the set deploys or scrapes kube-state-metrics: the alert cannot see its data',
    ]);
  });

  it("needs kube-state-metrics' collector of the metric: endpoints is not a default one in 88.5.3", () => {
    const apiDown = {
      alert: 'ApiDown',
      expr: 'kube_endpoint_info{namespace="platform"} unless on (namespace, endpoint) kube_endpoint_address{ready="true"}',
    };
    expect(messages([alertRule(apiDown), monitoringStack({})])[0]).toBe(
      'alert ApiDown reads kube_endpoint_info, which kube-state-metrics exports only with its "endpoints" collector, and kube-prometheus-stack runs it without (add it to spec.values["kube-state-metrics"].collectorsExtra): the alert cannot see its data',
    );
    expect(messages([alertRule(apiDown), monitoringStack({ 'kube-state-metrics': { collectorsExtra: ['endpoints'] } })])).toEqual([]);
    expect(kubeStateMetricsCollectors({ 'kube-state-metrics': { collectorsExclude: ['nodes'] } })).not.toContain('nodes');
    expect(messages([alertRule(DISK_PRESSURE), monitoringStack({ 'kube-state-metrics': { collectorsExclude: ['nodes'] } })])).toHaveLength(
      1,
    );
    expect(messages([alertRule(DISK_PRESSURE), monitoringStack({ kubeStateMetrics: { enabled: false } })])[0]).toContain(
      "which only kube-state-metrics exports, and kube-prometheus-stack's spec.values.kubeStateMetrics.enabled is false",
    );
  });

  it('needs cAdvisor scraped for container_* series', () => {
    const memory = { alert: 'ContainerMemoryHigh', expr: 'container_memory_working_set_bytes{container!=""} > 0' };
    expect(messages([alertRule(memory), monitoringStack({})])).toEqual([]);
    expect(messages([alertRule(memory), monitoringStack({ kubelet: { serviceMonitor: { cAdvisor: false } } })])[0]).toContain(
      'spec.values.kubelet.serviceMonitor.cAdvisor is false',
    );
  });

  it('fails a probe_success alert without a Probe for the store, and passes with one', () => {
    const unreachable = { alert: 'DatabaseUnreachable', expr: 'max(probe_success{namespace="platform", datastore="mongodb"}) == 0' };
    expect(messages([alertRule(unreachable)])).toEqual([
      "alert DatabaseUnreachable reads probe_success, which a blackbox exporter's Probe produces, and no Probe in platform has a prober and a target labelled datastore=mongodb: the alert cannot see its data",
    ]);
    expect(messages([alertRule(unreachable), probe({ datastore: 'redis' })])).toHaveLength(1);
    expect(messages([alertRule(unreachable), probe({ datastore: 'mongodb' })])).toEqual([]);
  });

  it("reads CloudNativePG's series only from a Cluster whose instances a PodMonitor scrapes, the Barman plugin's only with the plugin", () => {
    const up = { alert: 'DatabaseUnreachable', expr: 'max(cnpg_collector_up{namespace="data", pod=~"postgres-[0-9]+"}) == 0' };
    const backup = {
      alert: 'PostgresBackupLate',
      expr: 'time() - (max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{namespace="data", pod=~"postgres-[0-9]+"}) or vector(0)) > 28800',
    };
    expect(messages([alertRule(up, backup), ...postgresCluster()])).toEqual([]);
    expect(messages([alertRule(up), ...postgresCluster({ monitor: false })])).toEqual([
      'alert DatabaseUnreachable reads cnpg_collector_up, and no PodMonitor scrapes the "metrics" port of Cluster postgres\'s instances: the alert cannot see its data',
    ]);
    expect(messages([alertRule({ ...up, expr: up.expr.replace('postgres-', 'orders-') }), ...postgresCluster()])[0]).toContain(
      'and no CloudNativePG Cluster in data has instance pods it selects',
    );
    expect(messages([alertRule(backup), ...postgresCluster({ plugin: false })])[0]).toContain('plugin-barman-cloud is not installed');
  });

  it('needs a RedisReplication and a PodMonitor on its exporter for redis_up', () => {
    const up = { alert: 'DatabaseUnreachable', expr: 'max(redis_up{namespace="data"}) == 0' };
    expect(messages([alertRule(up)])[0]).toContain("which the redis-operator's exporter exports, and no RedisReplication runs in data");
  });

  it("needs each Istio-measured service scraped on Istio's merged metrics", () => {
    const errors = {
      alert: 'HighErrorRate',
      expr: 'sum by (destination_service_name) (rate(istio_requests_total{destination_service_namespace="platform", destination_service_name=~"frontend|backend"}[5m])) > 1',
    };
    expect(messages([alertRule(errors), ...istioScraped()])).toEqual([
      "alert HighErrorRate reads istio_requests_total, and no ServiceMonitor scrapes Istio's merged metrics (/stats/prometheus) of Service backend in platform: the alert cannot see its data",
    ]);
    expect(messages([alertRule({ ...errors, expr: errors.expr.replace('frontend|backend', 'frontend') }), ...istioScraped()])).toEqual([]);
    expect(
      messages([alertRule({ ...errors, expr: errors.expr.replace('frontend|backend', 'frontend') }), ...istioScraped('/metrics')]),
    ).toHaveLength(1);
    expect(messages([alertRule(errors), release('keda')])[0]).toContain('istiod is not installed');
  });

  it('fails a metric no known exporter produces', () => {
    expect(messages([alertRule({ alert: 'X', expr: 'mongodb_up{namespace="data"} == 0' }), monitoringStack({})])).toEqual([
      'alert X reads mongodb_up, which no exporter the platform knows produces (lib/alert-sources.ts): the alert cannot see its data',
    ]);
  });
});

describe('reading an expression', () => {
  it('finds every selector with its matchers, and the literal values of an alternation', () => {
    const [a, b] = selectorsOf('absent(x{a="b", c=~"d|e\\\\.f"}) or rate(y[5m])');
    expect(a).toEqual({
      metric: 'x',
      matchers: [
        { label: 'a', op: '=', value: 'b' },
        { label: 'c', op: '=~', value: 'd|e\\.f' },
      ],
    });
    expect(b).toEqual({ metric: 'y', matchers: [] });
    expect(literalValues(a!, 'c')).toEqual(['d', 'e.f']);
    expect(literalValues(selectorsOf('x{c=~"d.*"}')[0]!, 'c')).toBeUndefined();
  });

  it('maps metrics to their exporters, kube-state-metrics by collector', () => {
    expect(sourceOf('kube_endpointslice_endpoints')).toEqual({ source: 'kube-state-metrics', collector: 'endpointslices' });
    expect(sourceOf('kube_endpoint_address')).toEqual({ source: 'kube-state-metrics', collector: 'endpoints' });
    expect(sourceOf('barman_cloud_cloudnative_pg_io_last_available_backup_timestamp')).toEqual({ source: 'barman-cloud' });
    expect(sourceOf('mongodb_up')).toBeUndefined();
  });
});
