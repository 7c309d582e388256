import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/export/csv';
import { exportFilename, isoDate } from '../../src/export/formats';

describe('csvCell', () => {
  it('should write numbers and missing values as they are', () => {
    expect(csvCell(0)).toBe('0');
    expect(csvCell(12345)).toBe('12345');
    expect(csvCell(null)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it('should prefix every formula trigger with a quote mark, and nothing else', () => {
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvCell(`${start}x`)).toBe(`'${start}x`);
    expect(csvCell('\rx')).toBe(`"'\rx"`); // and quoted: a carriage return is a line break
    for (const text of ['a=b', 'x-1', ' =1', "'quoted", 'https://news.example/a?b=1']) expect(csvCell(text)).toBe(text);
  });

  it('should quote fields with a comma, a quote or a line break, doubling quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=SUM(A1,A2)')).toBe(`"'=SUM(A1,A2)"`);
  });
});

describe('export names', () => {
  it('should date by UTC day and name the file after the site', () => {
    expect(isoDate(0)).toBe('1970-01-01');
    expect(isoDate(20_412)).toBe('2025-11-20');
    expect(exportFilename('demo', Date.UTC(2026, 10, 20, 23, 59), 'csv')).toBe('sharepulse-demo-2026-11-20.csv');
  });
});
