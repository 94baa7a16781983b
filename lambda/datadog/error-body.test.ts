import { errorMessages } from './error-body';

const body = (errors: unknown) => JSON.stringify({ errors });

describe('errorMessages: Datadog error bodies as readable lines', () => {
  it.each<[string, string, string, string[]]>([
    ['v1 strings, as documented', body(['Invalid account ID']), 'Bad Request', ['Invalid account ID']],
    ['several strings', body(['first', 'second']), 'Bad Request', ['first', 'second']],
    ['a string instead of an array', JSON.stringify({ errors: 'only one' }), 'Bad Request', ['only one']],
    [
      'JSON:API title + detail',
      body([{ status: '409', title: 'Account already exists', detail: 'AWS account 123456789012 with role R is already integrated' }]),
      'Conflict',
      ['Account already exists: AWS account 123456789012 with role R is already integrated'],
    ],
    ['a title that only repeats the status is left out', body([{ status: '409', title: 'Conflict', detail: 'concurrent write' }]), 'Conflict', ['concurrent write']],
    ['a title alone stays, even when it is the status', body([{ status: '404', title: 'Not Found' }]), 'Not Found', ['Not Found']],
    ['a detail that contains the title says it once', body([{ title: 'Invalid', detail: 'Invalid aws_partition' }]), 'Bad Request', ['Invalid aws_partition']],
    ['detail equal to title', body([{ title: 'Forbidden', detail: 'Forbidden' }]), '', ['Forbidden']],
    [
      'the useful part of a 400 in meta',
      body([{ status: '400', title: 'Bad Request', meta: { errors: ['aws_account_id must be 12 digits'] } }]),
      'Bad Request',
      ['aws_account_id must be 12 digits'],
    ],
    [
      'meta beside title and detail, field names kept',
      body([{ title: 'Invalid Parameter', detail: 'invalid request', meta: { aws_partition: 'must be one of aws, aws-cn', request_id: 'abc-1' } }]),
      'Bad Request',
      ['Invalid Parameter: invalid request (aws_partition: must be one of aws, aws-cn; request_id: abc-1)'],
    ],
    [
      'nested meta, arrays of strings joined',
      body([{ title: 'Bad Request', detail: 'validation failed', meta: { fields: { aws_regions: ['unknown region mars-1', 'empty'] } } }]),
      'Bad Request',
      ['validation failed (fields.aws_regions: unknown region mars-1, empty)'],
    ],
    ['meta that repeats the detail adds nothing', body([{ detail: 'x is wrong', meta: { message: 'x is wrong' } }]), '', ['x is wrong']],
    ['source pointer', body([{ title: 'Invalid', detail: 'not a string', source: { pointer: '/data/attributes/role_name' } }]), '', ['Invalid: not a string (at /data/attributes/role_name)']],
    [
      'several JSON:API errors, one line each',
      body([{ title: 'A', detail: 'first' }, { title: 'B', detail: 'second' }]),
      'Bad Request',
      ['A: first', 'B: second'],
    ],
    ['strings and objects mixed', body(['plain', { detail: 'object' }]), '', ['plain', 'object']],
    ['an object with nothing readable is shown as it came', body([{ status: '500', code: 17 }]), '', ['{"status":"500","code":17}']],
    ['whitespace collapsed', body(['  two\n  lines  ']), '', ['two lines']],
    ['no errors member: an excerpt of the body', JSON.stringify({ message: 'nope' }), '', ['{"message":"nope"}']],
    ['not JSON: an excerpt', '<html>\n <body>Bad Gateway</body></html>', 'Bad Gateway', ['<html> <body>Bad Gateway</body></html>']],
    ['empty body', '', 'Bad Gateway', []],
    ['empty errors array', body([]), 'Bad Request', []],
  ])('%s', (_case, text, statusText, expected) => {
    expect(errorMessages(text, statusText)).toEqual(expected);
  });

  it('a huge body stays short: each line is clipped, at most five errors, then how many more', () => {
    const huge = body(Array.from({ length: 40 }, (_, i) => ({ title: `Error ${i}`, detail: 'x'.repeat(50_000), meta: { big: 'y'.repeat(50_000) } })));
    const lines = errorMessages(huge, 'Bad Request');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('and 35 more');
    for (const line of lines.slice(0, 5)) {
      expect(line.length).toBeLessThanOrEqual(300);
      expect(line.endsWith('...')).toBe(true);
    }
    expect(lines.join('\n').length).toBeLessThan(2000);
    expect(errorMessages('z'.repeat(1_000_000))[0]).toHaveLength(200);
  });

  it('deep meta is read to three levels, never dumped whole', () => {
    const deep = body([{ title: 'Bad', meta: { a: { b: { c: { d: 'too deep' } }, visible: 'kept' } } }]);
    expect(errorMessages(deep)).toEqual(['Bad (a.visible: kept)']);
  });
});
