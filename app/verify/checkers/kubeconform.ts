/**
 * kubeconform -strict over every object (one file each, its document exactly as in dist/), against
 * the schemas of the targeted version and the pinned CRDs only: nothing is downloaded, and a kind
 * without a schema is an error (no -ignore-missing-schemas). `-verbose -summary` make it list every
 * file it read, valid ones included, so that coverage is proven file by file.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { manifestId } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import { excerpt, parseOutput, runTool, unexpectedStatus, unexpectedStderr } from './exec';
import type { Checker } from './types';

const Result = z.object({
  filename: z.string(),
  kind: z.string(),
  name: z.string(),
  version: z.string(),
  /** An empty document has no status at all (`""`). */
  status: z.enum(['statusValid', 'statusInvalid', 'statusError', 'statusSkipped', 'statusEmpty', '']),
  msg: z.string(),
  validationErrors: z.array(z.object({ path: z.string(), msg: z.string() })).optional(),
});
const Report = z.object({
  resources: z.array(Result),
  summary: z.object({ valid: z.number(), invalid: z.number(), errors: z.number(), skipped: z.number() }),
});

/** `statusInvalid` → `invalid`. */
function ruleOf(status: string): string {
  return status.replace(/^status/, '').replace(/^./, (c) => c.toLowerCase());
}

const CANARY_NAMESPACE = 'verify-canary-kubeconform';

export const kubeconform: Checker = {
  tool: 'kubeconform',
  version: (pinned) => pinned.kubeconform,
  // -strict refuses a field the schema does not define.
  canary: {
    breaks: 'a field the Service schema does not define',
    rule: 'invalid',
    object: `Service/${CANARY_NAMESPACE}/unknown-field`,
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'unknown-field', namespace: CANARY_NAMESPACE },
        spec: { ports: [{ port: 80 }], notAField: true },
      },
    ],
  },
  async run({ workspace, kubernetesVersion, schemaLocation, canary }) {
    const canaries = workspace.canaryFiles('kubeconform', canary);
    const sources = new Map([...workspace.objectFiles].map(([file, item]) => [file, item.object]));
    for (const [file, object] of canaries) sources.set(file, object);
    const files = [...sources.keys()];
    const output = await runTool('kubeconform', [
      '-strict',
      '-verbose',
      '-summary',
      '-output',
      'json',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      schemaLocation,
      '-n',
      '4',
      ...files,
    ]);
    const report = parseOutput('kubeconform', output, Report);
    const idOf = (file: string) => {
      const object = sources.get(file);
      return object ? manifestId(object) : `file ${file.replace(`${join(workspace.dir)}/`, '')}`;
    };
    const notValid = report.resources.filter((r) => r.status !== 'statusValid');
    const counted = report.summary.valid + report.summary.invalid + report.summary.errors + report.summary.skipped;
    const problems = [
      ...unexpectedStatus(
        'kubeconform',
        output,
        notValid.length > 0 ? 1 : 0,
        notValid.length > 0 ? 'it reported invalid objects' : 'every object valid',
      ),
      ...unexpectedStderr('kubeconform', output),
      ...(counted === report.resources.length
        ? []
        : [`kubeconform's summary counts ${counted} resources but it listed ${report.resources.length}: ${excerpt(output.stdout, 200)}`]),
      ...report.resources
        .filter((r) => r.status === 'statusSkipped' || r.status === 'statusEmpty' || r.status === '')
        .map((r) => `kubeconform did not validate ${idOf(r.filename)} (${r.status === '' ? 'empty' : ruleOf(r.status)})`),
    ];
    const findings = notValid
      .filter((r) => r.status !== 'statusSkipped' && r.status !== 'statusEmpty' && r.status !== '')
      .map((r): Finding => {
        const source = workspace.objectFiles.get(r.filename);
        const details = (r.validationErrors ?? []).map((e) => `${e.path || '/'}: ${e.msg}`);
        return {
          environment: workspace.environment,
          tool: 'kubeconform',
          rule: ruleOf(r.status),
          severity: 'error',
          object: idOf(r.filename),
          file: source?.file,
          message: details.length > 0 ? details.join('; ') : r.msg,
        };
      });
    return { findings, given: files.map(idOf), reported: report.resources.map((r) => idOf(r.filename)), problems };
  },
};
