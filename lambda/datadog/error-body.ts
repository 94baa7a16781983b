/**
 * Datadog's error bodies, as readable lines. Datadog's documents (v1 and v2) say
 * `{"errors": ["..."]}`; its v2 traffic answers JSON:API error objects instead,
 * `{"errors": [{"status": "409", "title": "...", "detail": "...", "meta": {...}}]}`, and the
 * useful part of a 400 can sit in `meta`. Both forms, and any other body, become one line each.
 */

/** One JSON:API error object, as Datadog's v2 endpoints send it (every member optional). */
export interface JsonApiErrorObject {
  status?: string;
  title?: string;
  detail?: string;
  meta?: unknown;
  source?: { pointer?: string; parameter?: string; header?: string };
}

/** Longest line kept per error, and how many errors are shown before "and N more". */
const MAX_LINE = 300;
const MAX_ERRORS = 5;
/** Meta members whose key says nothing the value does not ("message: x" reads as "x"). */
const PLAIN_KEYS = new Set(['message', 'messages', 'error', 'errors', 'detail', 'details', 'reason', 'description']);
/** How deep and how many meta members are read: enough for validation details, never a dump. */
const META_DEPTH = 3;
const META_PIECES = 6;

/**
 * The messages of an error body: Datadog's `errors` entries (strings as they are, objects as
 * "title: detail (meta)"), else a short whitespace-collapsed excerpt of the body.
 * `statusText` (e.g. "Conflict") is left out where a title only repeats it.
 */
export function errorMessages(text: string, statusText = ''): string[] {
  const body = parseJson(text);
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  const entries = Array.isArray(errors) ? errors : typeof errors === 'string' ? [errors] : undefined;
  if (entries === undefined) {
    const excerpt = collapse(text).slice(0, 200);
    return excerpt ? [excerpt] : [];
  }
  const lines = entries.map((entry) => clip(describeEntry(entry, statusText))).filter((line) => line !== '');
  if (lines.length <= MAX_ERRORS) return lines;
  return [...lines.slice(0, MAX_ERRORS), `and ${lines.length - MAX_ERRORS} more`];
}

function describeEntry(entry: unknown, statusText: string): string {
  if (typeof entry === 'string') return collapse(entry);
  if (typeof entry !== 'object' || entry === null) return collapse(JSON.stringify(entry) ?? '');
  const error = entry as JsonApiErrorObject;
  const title = typeof error.title === 'string' ? collapse(error.title) : '';
  const detail = typeof error.detail === 'string' ? collapse(error.detail) : '';
  const extras = metaPieces(error.meta, '', 0).filter((piece) => !(detail.includes(piece) || title.includes(piece)));
  const where = error.source?.pointer ?? error.source?.parameter;
  if (typeof where === 'string' && where !== '') extras.push(`at ${where}`);
  // A title adds nothing when the detail already says it, or when it only repeats the HTTP status and more follows.
  const titleSaysMore = title !== '' && !detail.toLowerCase().includes(title.toLowerCase()) && !(sameText(title, statusText) && (detail || extras.length));
  const said = [titleSaysMore ? title : '', detail].filter((part) => part !== '');
  const head = said.join(': ');
  const tail = extras.slice(0, META_PIECES).join('; ');
  if (head && tail) return `${head} (${tail})`;
  // Neither title, detail nor meta: the object itself, so that the user still sees something.
  return head || tail || collapse(JSON.stringify(entry));
}

/** Meta's leaves as "key: value" (or the value alone, for keys like "message"), depth-first. */
function metaPieces(value: unknown, key: string, depth: number): string[] {
  if (value === null || value === undefined || value === '') return [];
  const label = (text: string) => (key === '' || PLAIN_KEYS.has(lastSegment(key)) ? text : `${key}: ${text}`);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [label(collapse(String(value)))];
  if (depth >= META_DEPTH) return [];
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string' || typeof item === 'number')) {
      return value.length ? [label(value.map((item) => collapse(String(item))).join(', '))] : [];
    }
    return value.flatMap((item) => metaPieces(item, key, depth + 1));
  }
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([child, inner]) =>
      metaPieces(inner, key === '' || PLAIN_KEYS.has(lastSegment(key)) ? child : `${key}.${child}`, depth + 1),
    );
  }
  return [];
}

const lastSegment = (key: string) => key.slice(key.lastIndexOf('.') + 1);
const collapse = (text: string) => text.trim().replace(/\s+/g, ' ');
const sameText = (a: string, b: string) => a !== '' && a.toLowerCase() === b.toLowerCase();
const clip = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 3)}...` : line);

/** The JSON value of a body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
