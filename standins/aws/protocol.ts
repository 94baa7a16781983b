/**
 * Wire formats of the AWS stand-in: the Query protocol (form-encoded requests, XML answers with
 * <member> lists) used by IAM and STS, and JSON 1.1 used by Organizations.
 */

import { AwsApiError } from './model';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** What a handler answers; rendered by the protocol of its service. */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`); // eslint-disable-line no-control-regex
}

/** ISO 8601 without milliseconds, as IAM and STS print timestamps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Renders children of an element: lists as <member> elements, undefined fields omitted. */
export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .map(([key, child]) => `<${key}>${toXml(child)}</${key}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function queryResponse(operation: string, xmlns: string, requestId: string, result: XmlValue | null): string {
  const body = result === null ? '' : `<${operation}Result>${toXml(result)}</${operation}Result>`;
  return `<${operation}Response xmlns="${xmlns}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

export function queryError(error: AwsApiError, xmlns: string, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** An Organizations (JSON 1.1) error body: {"__type": Code, "Message": ...} plus modeled fields. */
export function jsonError(error: AwsApiError): string {
  return JSON.stringify({ __type: error.code, Message: error.message, ...error.extra });
}

/** Form parameters of a Query request, with helpers for `X.member.N` lists. */
export class QueryParams {
  constructor(readonly raw: Record<string, string>) {}

  static parse(body: string): QueryParams {
    const raw: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body)) raw[key] = value;
    return new QueryParams(raw);
  }

  get(name: string): string | undefined {
    return this.raw[name];
  }

  /** A required parameter: missing -> the ValidationError AWS answers. */
  require(name: string, member: string = name.charAt(0).toLowerCase() + name.slice(1)): string {
    const value = this.raw[name];
    if (value === undefined) {
      throw new AwsApiError(
        'ValidationError',
        `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
        400,
      );
    }
    return value;
  }

  int(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isInteger(number)) throw new AwsApiError('ValidationError', `Invalid value for parameter ${name}: ${value}`, 400);
    return number;
  }

  /** `Name.member.N` scalars, in N order. */
  list(name: string): string[] | undefined {
    return this.members(name)?.map(([, value]) => value);
  }

  /** `Name.member.N.Field` structures, in N order. */
  structList(name: string): Record<string, string>[] | undefined {
    const prefix = `${name}.member.`;
    const byIndex = new Map<number, Record<string, string>>();
    let present = this.raw[name] !== undefined;
    for (const [key, value] of Object.entries(this.raw)) {
      if (!key.startsWith(prefix)) continue;
      present = true;
      const [index, ...field] = key.slice(prefix.length).split('.');
      const n = Number(index);
      if (!Number.isInteger(n) || field.length === 0) continue;
      const item = byIndex.get(n) ?? {};
      item[field.join('.')] = value;
      byIndex.set(n, item);
    }
    if (!present) return undefined;
    return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
  }

  private members(name: string): [number, string][] | undefined {
    const prefix = `${name}.member.`;
    const found: [number, string][] = [];
    let present = this.raw[name] !== undefined;
    for (const [key, value] of Object.entries(this.raw)) {
      if (!key.startsWith(prefix)) continue;
      present = true;
      const n = Number(key.slice(prefix.length));
      if (Number.isInteger(n)) found.push([n, value]);
    }
    return present ? found.sort(([a], [b]) => a - b) : undefined;
  }
}

/** The pieces of a SigV4-signed request the stand-in uses (the signature itself is not checked). */
export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  sessionToken?: string;
}

export function parseCredential(authorization: string | undefined, query: URLSearchParams, sessionHeader: string | undefined): Credential | undefined {
  const scope = authorization
    ? /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization)?.slice(1)
    : query.get('X-Amz-Credential')?.split('/');
  if (!scope || scope.length < 4) return undefined;
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  const sessionToken = sessionHeader ?? query.get('X-Amz-Security-Token') ?? undefined;
  return { accessKeyId, date, region, service, ...(sessionToken !== undefined && { sessionToken }) };
}
