import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  neutraliseCell,
  parseCsv,
  readSubscriberRows,
  unneutraliseCell,
} from '../../src/core/subscriber-import.js';

/** RFC 4180 quoting: a field with a comma, quote or line break (or a leading BOM) is quoted. */
const csvField = (value: string) =>
  /[",\r\n]/.test(value) || value.startsWith('\uFEFF') ? `"${value.replace(/"/g, '""')}"` : value;

const rowsOf = (text: string) => parseCsv(text).rows;
const read = (text: string, known: readonly string[] | null = null) =>
  readSubscriberRows(text, 'test', known);

describe('parseCsv', () => {
  it('returns nothing for an empty text', () => {
    expect(parseCsv('')).toEqual({ rows: [], problems: [] });
  });

  it('splits rows on LF and fields on commas, numbering rows from line 1', () => {
    expect(parseCsv('a,b\nc,d')).toEqual({
      rows: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['c', 'd'] },
      ],
      problems: [],
    });
  });

  it('accepts CRLF line ends, with or without a final line end', () => {
    const expected = [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ];
    expect(rowsOf('a,b\r\nc,d')).toEqual(expected);
    expect(rowsOf('a,b\r\nc,d\r\n')).toEqual(expected);
    expect(rowsOf('a,b\nc,d\n')).toEqual(expected);
    expect(rowsOf('a,b\r\nc,d\n')).toEqual(expected);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(rowsOf('a,,b')).toEqual([{ line: 1, fields: ['a', '', 'b'] }]);
    expect(rowsOf('a,')).toEqual([{ line: 1, fields: ['a', ''] }]);
    expect(rowsOf(',')).toEqual([{ line: 1, fields: ['', ''] }]);
    expect(rowsOf(',\n,,')).toEqual([
      { line: 1, fields: ['', ''] },
      { line: 2, fields: ['', '', ''] },
    ]);
  });

  it('does not trim fields', () => {
    expect(rowsOf(' a , b ')).toEqual([{ line: 1, fields: [' a ', ' b '] }]);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(rowsOf('"a,b","say ""hi""",c,"",""""')).toEqual([
      { line: 1, fields: ['a,b', 'say "hi"', 'c', '', '"'] },
    ]);
  });

  it('keeps a quote inside an unquoted field as it is', () => {
    expect(rowsOf('a"b,c""d')).toEqual([{ line: 1, fields: ['a"b', 'c""d'] }]);
  });

  it('keeps line breaks inside quotes, numbering the row by the line it starts on', () => {
    const text = 'first\n"l1\nl2\r\nl3",after\nlast\n"x\n\ny"\nend';
    expect(parseCsv(text)).toEqual({
      rows: [
        { line: 1, fields: ['first'] },
        { line: 2, fields: ['l1\nl2\r\nl3', 'after'] },
        { line: 5, fields: ['last'] },
        { line: 6, fields: ['x\n\ny'] },
        { line: 9, fields: ['end'] },
      ],
      problems: [],
    });
  });

  it('drops a leading byte order mark', () => {
    expect(rowsOf('\uFEFFemail,name\na@b.co,A')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@b.co', 'A'] },
    ]);
    expect(rowsOf('\uFEFF"q,1",x')).toEqual([{ line: 1, fields: ['q,1', 'x'] }]);
  });

  it('skips blank and whitespace-only lines but keeps counting them', () => {
    expect(rowsOf('\n\na\n\r\n   \n\t\nb\n\n')).toEqual([
      { line: 3, fields: ['a'] },
      { line: 7, fields: ['b'] },
    ]);
  });

  it('reports a quote that is never closed, at the line the row starts on, and drops that row', () => {
    expect(parseCsv('a\n"b,c\nd\ne')).toEqual({
      rows: [{ line: 1, fields: ['a'] }],
      problems: [{ line: 2, message: 'a quoted field is never closed', refused: true }],
    });
    expect(parseCsv('x,"').problems).toEqual([
      { line: 1, message: 'a quoted field is never closed', refused: true },
    ]);
  });

  it('round-trips any fields written with correct quoting, with the line each row starts on', () => {
    const unit = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          ',',
          '"',
          '\r',
          '\n',
          '\r\n',
          ' ',
          '\t',
          'a',
          'Z',
          'é',
          '😀',
          '\uFEFF',
          '\u2028',
        ),
      },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }) },
    );
    const field = fc.string({ maxLength: 12, unit });
    // A row that is one blank field is a blank line, which parseCsv skips by design.
    const row = fc
      .array(field, { minLength: 1, maxLength: 5 })
      .filter((fields) => fields.length > 1 || fields[0]!.trim() !== '');
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 0, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (rows, eol, finalEol, bom) => {
          let text = bom ? '\uFEFF' : '';
          const expected: { line: number; fields: string[] }[] = [];
          rows.forEach((fields, index) => {
            if (index > 0) text += eol;
            expected.push({ line: 1 + (text.match(/\n/g)?.length ?? 0), fields });
            text += fields.map(csvField).join(',');
          });
          if (finalEol && rows.length > 0) text += eol;
          expect(parseCsv(text)).toEqual({ rows: expected, problems: [] });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stays linear on 200,000 quotes, commas or line breaks', () => {
    const n = 200_000;
    const cases: [string, (result: ReturnType<typeof parseCsv>) => void][] = [
      [
        '"'.repeat(n),
        // An opening quote, 99,999 doubled quotes and a closing one.
        (r) => expect(r).toEqual({ rows: [{ line: 1, fields: ['"'.repeat(n / 2 - 1)] }], problems: [] }),
      ],
      [
        '"'.repeat(n + 1),
        (r) => {
          expect(r.rows).toHaveLength(0);
          expect(r.problems).toHaveLength(1);
        },
      ],
      [
        ','.repeat(n),
        (r) => {
          expect(r.rows).toHaveLength(1);
          expect(r.rows[0]!.fields).toHaveLength(n + 1);
        },
      ],
      ['\n'.repeat(n), (r) => expect(r).toEqual({ rows: [], problems: [] })],
      ['\r\n'.repeat(n / 2), (r) => expect(r).toEqual({ rows: [], problems: [] })],
      ['\r'.repeat(n), (r) => expect(r).toEqual({ rows: [], problems: [] })],
      [
        // 100,000 rows of one quoted line break each: blank, so skipped.
        '"\n"\n'.repeat(n / 4),
        (r) => expect(r).toEqual({ rows: [], problems: [] }),
      ],
      [
        // 50,000 quoted commas, then an empty last field.
        '",",'.repeat(n / 4),
        (r) => {
          expect(r.problems).toEqual([]);
          expect(r.rows).toHaveLength(1);
          expect(r.rows[0]!.fields).toEqual([...Array<string>(n / 4).fill(','), '']);
        },
      ],
      [
        'a\n'.repeat(n / 2),
        (r) => {
          expect(r.rows).toHaveLength(n / 2);
          expect(r.rows.at(-1)!.line).toBe(n / 2);
        },
      ],
    ];
    for (const [text, check] of cases) {
      const started = performance.now();
      const result = parseCsv(text);
      const elapsed = performance.now() - started;
      expect(elapsed, JSON.stringify(text.slice(0, 4))).toBeLessThan(500);
      check(result);
    }
  });
});

describe('readSubscriberRows', () => {
  it('reads a plain file', () => {
    expect(read('email,name,locale,topics\nada@example.com,Ada,en,\nbob@example.org,,,')).toEqual({
      subscribers: [
        { email: 'ada@example.com', name: 'Ada', locale: 'en', topics: 'all', source: 'test' },
        { email: 'bob@example.org', name: null, locale: null, topics: 'all', source: 'test' },
      ],
      problems: [],
    });
  });

  it('needs only an email column, in any case, in any position', () => {
    expect(read(' EMAIL \nAda@Example.com')).toEqual({
      subscribers: [{ email: 'ada@example.com', name: null, locale: null, topics: 'all', source: 'test' }],
      problems: [],
    });
    expect(read('Name,Email\nAda,ada@example.com').subscribers).toEqual([
      { email: 'ada@example.com', name: 'Ada', locale: null, topics: 'all', source: 'test' },
    ]);
  });

  it('passes the source through', () => {
    expect(readSubscriberRows('email\na@example.com', 'import:list.csv', null).subscribers[0]!.source).toBe(
      'import:list.csv',
    );
  });

  it('refuses an empty file', () => {
    for (const text of ['', '\n\n', '\uFEFF', '  \r\n'])
      expect(read(text)).toEqual({
        subscribers: [],
        problems: [
          { line: 1, message: 'the file is empty: it needs a header row with "email"', refused: true },
        ],
      });
  });

  it('refuses a header without an email column, at the header line', () => {
    expect(read('\n\nName,Mail\nAda,ada@example.com')).toEqual({
      subscribers: [],
      problems: [
        { line: 3, message: 'the header row has no "email" column (it has: name, mail)', refused: true },
      ],
    });
  });

  it('accepts a header-only file with nothing to import', () => {
    expect(read('email,name\n')).toEqual({ subscribers: [], problems: [] });
  });

  it('notes ignored columns without refusing anything', () => {
    const result = read('email,Phone,name,Company,\na@example.com,123,A,Acme,');
    expect(result.problems).toEqual([
      { line: 1, message: 'ignored columns: phone, company', refused: false },
    ]);
    expect(result.subscribers).toEqual([
      { email: 'a@example.com', name: 'A', locale: null, topics: 'all', source: 'test' },
    ]);
  });

  it('normalises emails, trims fields and turns empty ones into null', () => {
    expect(read('email,name,locale\n  Ada.Lovelace@Example.COM  ,  Ada Lovelace  ,  ').subscribers).toEqual([
      {
        email: 'ada.lovelace@example.com',
        name: 'Ada Lovelace',
        locale: null,
        topics: 'all',
        source: 'test',
      },
    ]);
  });

  it('refuses every bad email with its line, and keeps the good rows', () => {
    const text = [
      'email,name',
      'good@example.com,G',
      'not-an-email,X',
      ',Empty',
      '"a b@example.com",Space',
      'c@example.com,C',
      'd@nodot,D',
    ].join('\n');
    const result = read(text);
    expect(result.subscribers.map((s) => s.email)).toEqual(['good@example.com', 'c@example.com']);
    expect(result.problems).toEqual([
      { line: 3, message: '"not-an-email" is not an email address', refused: true },
      { line: 4, message: '"" is not an email address', refused: true },
      { line: 5, message: '"a b@example.com" is not an email address', refused: true },
      { line: 7, message: '"d@nodot" is not an email address', refused: true },
    ]);
  });

  it('cuts a long bad email to 80 characters in the message', () => {
    const long = `${'x'.repeat(300)}@`;
    const [problem] = read(`email\n${long}`).problems;
    expect(problem!.message).toBe(`"${'x'.repeat(80)}" is not an email address`);
  });

  it('refuses rows whose field count differs from the header', () => {
    const result = read('email,name\na@example.com\nb@example.com,B,extra\nc@example.com,C');
    expect(result.subscribers.map((s) => s.email)).toEqual(['c@example.com']);
    expect(result.problems).toEqual([
      { line: 2, message: '1 fields, but the header has 2', refused: true },
      { line: 3, message: '3 fields, but the header has 2', refused: true },
    ]);
  });

  it('reports the line a row starts on when an earlier field spans lines', () => {
    const text = 'email,name\na@example.com,"Ada\nLovelace"\nbad,"x\ny"\nb@example.com,B';
    const result = read(text);
    expect(result.subscribers).toEqual([
      // A name is one line.
      { email: 'a@example.com', name: 'Ada Lovelace', locale: null, topics: 'all', source: 'test' },
      { email: 'b@example.com', name: 'B', locale: null, topics: 'all', source: 'test' },
    ]);
    expect(result.problems).toEqual([{ line: 4, message: '"bad" is not an email address', refused: true }]);
  });

  it('lower-cases locales and turns _ into -', () => {
    const result = read(
      'email,locale\na@example.com,EN\nb@example.com,pt_BR\nc@example.com,zh_Hant_TW\nd@example.com,de',
    );
    expect(result.problems).toEqual([]);
    expect(result.subscribers.map((s) => s.locale)).toEqual(['en', 'pt-br', 'zh-hant-tw', 'de']);
  });

  it('refuses locales that are not language tags', () => {
    const result = read(
      'email,locale\na@example.com,english\nb@example.com,e\nc@example.com,en-\nd@example.com,en US\ne@example.com,fil',
    );
    expect(result.subscribers.map((s) => s.email)).toEqual(['e@example.com']);
    expect(result.problems).toEqual([
      { line: 2, message: '"english" is not a locale (e.g. en, de, pt-br)', refused: true },
      { line: 3, message: '"e" is not a locale (e.g. en, de, pt-br)', refused: true },
      { line: 4, message: '"en-" is not a locale (e.g. en, de, pt-br)', refused: true },
      { line: 5, message: '"en us" is not a locale (e.g. en, de, pt-br)', refused: true },
    ]);
  });

  it('matches topics case-insensitively to the known ones, in their spelling, sorted and deduplicated', () => {
    const known = ['Billing', 'API', 'web-app'];
    const result = read(
      [
        'email,topics',
        'a@example.com,billing; api | API',
        'b@example.com,WEB-APP|Billing',
        'c@example.com, api ;;| ',
      ].join('\n'),
      known,
    );
    expect(result.problems).toEqual([]);
    expect(result.subscribers.map((s) => s.topics)).toEqual([
      ['API', 'Billing'],
      ['Billing', 'web-app'],
      ['API'],
    ]);
  });

  it('reads empty topics, separators only, or "all" in any case and company, as all', () => {
    const known = ['API'];
    const result = read(
      [
        'email,topics',
        'a@example.com,',
        'b@example.com, ; | ',
        'c@example.com,ALL',
        'd@example.com,api;All',
      ].join('\n'),
      known,
    );
    expect(result.problems).toEqual([]);
    expect(result.subscribers.map((s) => s.topics)).toEqual(['all', 'all', 'all', 'all']);
  });

  it('refuses unknown topics when the known ones are given', () => {
    const result = read('email,topics\na@example.com,API;nope;Other\nb@example.com,api', ['API', 'Web']);
    expect(result.subscribers).toEqual([
      { email: 'b@example.com', name: null, locale: null, topics: ['API'], source: 'test' },
    ]);
    expect(result.problems).toEqual([
      { line: 2, message: 'unknown topic "nope", "Other" (known: API, Web, or all)', refused: true },
    ]);
  });

  it('takes topics as written when no known topics are given', () => {
    const result = read('email,topics\na@example.com,zeta;Alpha|zeta', null);
    expect(result.problems).toEqual([]);
    expect(result.subscribers[0]!.topics).toEqual(['Alpha', 'zeta']);
  });

  it('notes a later duplicate, which wins, without refusing it', () => {
    const result = read('email,name\na@example.com,First\nb@example.com,B\nA@EXAMPLE.COM,Second');
    expect(result.problems).toEqual([
      { line: 4, message: 'a@example.com is also on line 2: this row wins', refused: false },
    ]);
    expect(result.subscribers.map((s) => [s.email, s.name])).toEqual([
      ['a@example.com', 'First'],
      ['b@example.com', 'B'],
      ['a@example.com', 'Second'],
    ]);
  });

  it('does not count a refused row as the first occurrence of an address', () => {
    const result = read('email,locale\na@example.com,english\na@example.com,en');
    expect(result.problems).toEqual([
      { line: 2, message: '"english" is not a locale (e.g. en, de, pt-br)', refused: true },
    ]);
    expect(result.subscribers.map((s) => s.locale)).toEqual(['en']);
  });

  it('reports the unclosed quote of a file', () => {
    const result = read('email,name\na@example.com,A\n"b@example.com,B');
    expect(result.problems).toContainEqual({
      line: 3,
      message: 'a quoted field is never closed',
      refused: true,
    });
    expect(result.subscribers.map((s) => s.email)).toEqual(['a@example.com']);
  });

  it('does not import the row whose quote is never closed, which it reports as refused', () => {
    const result = read('email,name\na@example.com,"Ada\nb@example.com,Bob\n');
    expect(result.problems).toEqual([{ line: 2, message: 'a quoted field is never closed', refused: true }]);
    expect(result.subscribers).toEqual([]);
  });
});

describe('CSV formula neutralisation', () => {
  it('prefixes cells a spreadsheet would run with a quote', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'=x", "''+x"])
      expect(neutraliseCell(cell)).toBe(`'${cell}`);
    for (const cell of ['Ada', "O'Brien", "'quoted", '', '1-2', 'a=b'])
      expect(neutraliseCell(cell)).toBe(cell);
  });

  it('gives back exactly what was exported, for any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(unneutraliseCell(neutraliseCell(text))).toBe(text);
        expect(neutraliseCell(text)).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });

  it('undoes the prefix on import', () => {
    const { subscribers } = readSubscriberRows(
      "email,name\n'=x@example.com,'=HYPERLINK(\"a\")\nb@example.com,''+1",
      'test',
      null,
    );
    expect(subscribers.map((s) => [s.email, s.name])).toEqual([
      ['=x@example.com', '=HYPERLINK("a")'],
      ['b@example.com', "'+1"],
    ]);
  });
});

describe('import limits and hostile text', () => {
  it('refuses over-long names, locales and topic lists by line', () => {
    const { subscribers, problems } = readSubscriberRows(
      [
        'email,name,locale,topics',
        `a@example.com,${'n'.repeat(201)},,`,
        `b@example.com,,en-${'abcdefgh-'.repeat(4)}x1,`,
        `c@example.com,,,${Array.from({ length: 51 }, (_, i) => `t${i}`).join(';')}`,
        `d@example.com,,,${'t'.repeat(101)}`,
        `e@example.com,${'n'.repeat(200)},zh-hant-tw,`,
      ].join('\n'),
      'test',
      null,
    );
    expect(problems.filter((p) => p.refused).map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(subscribers.map((s) => s.email)).toEqual(['e@example.com']);
  });

  it('stores names without terminal escapes and never echoes escapes in problems', () => {
    const { subscribers, problems } = readSubscriberRows(
      'email,name,\u001b[2Jx\nok@example.com,Eve\u001b[31m\u202eRed,\n\u001b]0;pwned\u0007@,x,',
      'test',
      null,
    );
    expect(subscribers[0]!.name).toBe('Eve Red');
    for (const problem of problems) expect(problem.message).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});
