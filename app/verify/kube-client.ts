/**
 * The few Kubernetes API calls verify makes, over HTTPS with the throwaway CA and token: GET,
 * server-side apply (real or dry-run) and discovery. Every response keeps the server's `Warning`
 * headers one by one, so each warning is attributed to the object that caused it.
 */
import { request as httpsRequest } from 'node:https';

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  /** The text of each `Warning: 299 - "..."` header, in order. */
  readonly warnings: readonly string[];
}

/** A Kubernetes `Status` failure as the server sent it. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** Where a kind is served: its resource (plural) and whether it lives in namespaces. */
export interface ServedResource {
  readonly resource: string;
  readonly namespaced: boolean;
}

/** RFC 7234 warn-text: `299 - "text"`, quotes and backslashes escaped. */
function parseWarning(value: string): string {
  const match = /^\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(value);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : value;
}

export class KubeClient {
  private discovery: Map<string, ServedResource> | undefined;

  constructor(private readonly options: { readonly url: string; readonly ca: Buffer; readonly token: string }) {}

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, this.options.url),
        {
          method,
          ca: this.options.ca,
          headers: {
            Authorization: `Bearer ${this.options.token}`,
            Accept: 'application/json',
            ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const warnings: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              if (res.rawHeaders[i]!.toLowerCase() === 'warning') warnings.push(parseWarning(res.rawHeaders[i + 1]!));
            }
            let parsed: unknown = text;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                parsed = JSON.parse(text);
              } catch {
                // keep the text
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text, warnings });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** GET that fails on any status but 200. */
  async get(path: string): Promise<unknown> {
    const res = await this.request('GET', path);
    if (res.status !== 200) throw toError(res, `GET ${path}`);
    return res.body;
  }

  /**
   * Server-side apply of one object to `path` (the object's own URL), strict field validation.
   * With `dryRun`, the server runs every admission step and stores nothing.
   */
  apply(path: string, object: unknown, options: { readonly dryRun: boolean; readonly fieldManager?: string }): Promise<KubeResponse> {
    const query = new URLSearchParams({ fieldManager: options.fieldManager ?? 'verify', force: 'true', fieldValidation: 'Strict' });
    if (options.dryRun) query.set('dryRun', 'All');
    return this.request('PATCH', `${path}?${query}`, object, 'application/apply-patch+yaml');
  }

  /** Forgets discovery (after installing CRDs). */
  resetDiscovery(): void {
    this.discovery = undefined;
  }

  /** `apiVersion/kind` → its resource, for every kind the server serves (sub-resources left out). */
  async served(): Promise<Map<string, ServedResource>> {
    if (this.discovery) return this.discovery;
    const served = new Map<string, ServedResource>();
    const groupVersions = ['v1'];
    const groups = (await this.get('/apis')) as { groups: { versions: { groupVersion: string }[] }[] };
    for (const group of groups.groups) for (const version of group.versions) groupVersions.push(version.groupVersion);
    await Promise.all(
      groupVersions.map(async (gv) => {
        const list = (await this.get(gv === 'v1' ? '/api/v1' : `/apis/${gv}`)) as {
          resources: { name: string; kind: string; namespaced: boolean }[];
        };
        for (const r of list.resources) {
          if (r.name.includes('/')) continue;
          served.set(`${gv}/${r.kind}`, { resource: r.name, namespaced: r.namespaced });
        }
      }),
    );
    this.discovery = served;
    return served;
  }

  /** The URL of one object, or undefined when the server does not serve its apiVersion and kind. */
  async objectPath(apiVersion: string, kind: string, name: string, namespace: string | undefined): Promise<string | undefined> {
    const served = (await this.served()).get(`${apiVersion}/${kind}`);
    if (!served) return undefined;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = served.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${base}${ns}/${served.resource}/${encodeURIComponent(name)}`;
  }
}

/** The server's own message of a failed response. */
export function statusMessage(res: KubeResponse): string {
  const body = res.body as { message?: string } | undefined;
  return typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : res.text.trim();
}

export function toError(res: KubeResponse, what: string): KubeError {
  const body = res.body as { reason?: string } | undefined;
  const reason = typeof body === 'object' && body !== null && typeof body.reason === 'string' ? body.reason : String(res.status);
  return new KubeError(res.status, reason, `${what}: ${res.status} ${statusMessage(res)}`);
}
