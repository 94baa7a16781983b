import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What Datadog's stand-ins (v1 and v2) share: a loopback HTTP server, the request log, the
 * DD-API-KEY / DD-APPLICATION-KEY check (403 otherwise), malformed JSON (400), and faults
 * injected into the next requests. Each version answers its own routes.
 *
 * Errors come in Datadog's shapes: v1 `{"errors": ["..."]}` (application/json), as v1's document
 * and traffic agree; v2 JSON:API error objects `{"errors": [{"status", "title", "detail", "meta"}]}`
 * (application/vnd.api+json), as Datadog's v2 traffic sends them. Datadog's v2 document says
 * strings instead, and Prism (--errors) turns an object into a 500: the contract suites set
 * `v2ErrorBodies = 'document'` (README, "The Datadog client").
 */

/** v2 error bodies as Datadog's traffic sends them (JSON:API objects), or as its v2 document says (strings). */
export type V2ErrorBodies = 'traffic' | 'document';

/** One error a stand-in answers; `meta.errors` carries the details of a 400, as Datadog's can. */
export interface StandinError {
  status: number;
  title: string;
  detail?: string;
  meta?: { errors: string[] };
}

/** Answers an error in the shape of the API version the path belongs to. */
export function sendError(res: ServerResponse, path: string, error: StandinError, v2Bodies: V2ErrorBodies, headers: Record<string, string> = {}): void {
  const text = [error.detail, ...(error.meta?.errors ?? [])].filter((part) => part !== undefined).join(': ') || error.title;
  if (!path.startsWith('/api/v2/')) return send(res, error.status, { errors: [text] }, headers);
  const { status, title, detail, meta } = error;
  const body = v2Bodies === 'document' ? { errors: [text] } : { errors: [{ status: String(status), title, ...(detail && { detail }), ...(meta && { meta }) }] };
  send(res, status, body, { 'content-type': V2_ERROR_CONTENT_TYPE, ...headers });
}

export const V2_ERROR_CONTENT_TYPE = 'application/vnd.api+json';

export type Fault = (
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number } // then answers normally
  | { kind: 'hang' } // never answers (until the server closes)
  | { kind: 'reset' } // destroys the connection
) & {
  /** Only requests whose path matches meet the fault (default: any request). */
  only?: RegExp;
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Raw body text ('' when none); recorded by the stand-ins that ask for it. */
  text?: string;
  /** Both keys were present and right. The key values themselves are never kept. */
  authorized: boolean;
}

export interface DatadogKeys {
  apiKey: string;
  appKey: string;
}

/** A request past the shared checks, for a version's own routes. */
export interface RoutedRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
}

export abstract class DatadogHttpStandin {
  readonly requests: RecordedRequest[] = [];
  /** Called with each request as it is recorded (e.g. to put several systems' calls in one timeline). */
  onRequest?: (request: RecordedRequest) => void;
  protected readonly faults: Fault[] = [];
  /** How v2 errors are shaped; the contract suites set 'document'. */
  v2ErrorBodies: V2ErrorBodies = 'traffic';
  private readonly sockets = new Set<Socket>();
  private server?: Server;

  protected constructor(
    private readonly keys: DatadogKeys,
    private readonly name: string,
    private readonly recordBodyText = false,
  ) {}

  /** Answers a request that passed the key and JSON checks. */
  protected abstract route(request: RoutedRequest, res: ServerResponse): void | Promise<void>;

  /** Starts on a free loopback port; returns the base URL (use it as DD_API_URL). */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    this.server = server;
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error(`the ${this.name} is not started`);
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  /** The next requests meet these faults, one each, in order. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Forgets the request log and the faults not yet met. */
  protected clearRequestsAndFaults(): void {
    this.faults.length = 0;
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const text = await readBody(req);
    let body: unknown;
    let malformed = false;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        malformed = true;
      }
    }
    const method = req.method ?? 'GET';
    const authorized = req.headers['dd-api-key'] === this.keys.apiKey && req.headers['dd-application-key'] === this.keys.appKey;
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      ...(this.recordBodyText && { text }),
      authorized,
    };
    this.requests.push(recorded);
    this.onRequest?.(recorded);

    const at = this.faults.findIndex((f) => f.only === undefined || f.only.test(url.pathname));
    const fault = at < 0 ? undefined : this.faults.splice(at, 1)[0];
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'delay') await new Promise((done) => setTimeout(done, fault.ms));
    if (fault?.kind === 'status') {
      if (fault.body === undefined) return void this.fail(res, url.pathname, { status: fault.status, title: statusText(fault.status) }, fault.headers);
      const contentType: Record<string, string> = url.pathname.startsWith('/api/v2/') && fault.status >= 400 ? { 'content-type': V2_ERROR_CONTENT_TYPE } : {};
      return send(res, fault.status, fault.body, { ...contentType, ...fault.headers });
    }

    if (!authorized) return void this.fail(res, url.pathname, { status: 403, title: 'Forbidden' });
    if (malformed) return void this.fail(res, url.pathname, { status: 400, title: 'Bad Request', detail: 'Invalid JSON in request body' });
    return this.route({ method, url, body }, res);
  }

  /** Answers an error as Datadog does for the path's API version. */
  protected fail(res: ServerResponse, path: string, error: StandinError, headers?: Record<string, string>): true {
    sendError(res, path, error, this.v2ErrorBodies, headers);
    return true;
  }
}

export function statusText(status: number): string {
  return (
    {
      400: 'Bad Request',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      429: 'Too many requests',
      500: 'Internal Server Error',
      502: 'Bad Gateway',
      503: 'Service Unavailable',
    }[status] ?? 'Error'
  );
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => done(text));
    req.on('error', reject);
  });
}
