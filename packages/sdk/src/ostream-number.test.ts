import { describe, expect, it } from 'vitest';
import { ostreamNumber } from './ostream-number.js';

// What `std::cout << std::setprecision(p) << x` prints, as printf("%.pg") does.
const CASES: [number, string, string][] = [
  [0.9433, '0.943', '0.9433'],
  [1, '1', '1'],
  [0.05, '0.05', '0.05'],
  [0.000123, '0.000123', '0.000123'],
  [1e-5, '1e-05', '1e-05'],
  [123456.7, '1.23e+05', '123457'],
  [1234567, '1.23e+06', '1.23457e+06'],
  [0.99999951, '1', '1'],
  [2.5e-7, '2.5e-07', '2.5e-07'],
  [0.00999996, '0.01', '0.00999996'],
  [100, '100', '100'],
  [2 / 3, '0.667', '0.666667'],
];

describe('ostreamNumber', () => {
  it.each(CASES)('prints %d as C++ does with precision 3 and 6', (value, three, six) => {
    expect(ostreamNumber(value, 3)).toBe(three);
    expect(ostreamNumber(value, 6)).toBe(six);
  });
  it('gives the digits of toExponential on random values of every magnitude', () => {
    let state = 7;
    for (let i = 0; i < 20000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const value = (state / 2 ** 32) * 10 ** ((i % 14) - 7) * (i % 5 === 0 ? -1 : 1);
      for (const precision of [3, 6]) {
        const exponential = value.toExponential(precision - 1);
        const exponent = Number(exponential.slice(exponential.indexOf('e') + 1));
        const digits = exponential.slice(0, exponential.indexOf('e')).replace('.', '').replace('-', '').replace(/0+$/, '') || '0';
        const printed = ostreamNumber(value, precision);
        expect(printed.replace('-', '').replace(/^0\.0*|\.|e.*$/g, '').replace(/0+$/, '') || '0', `${value} ${printed}`).toBe(digits);
        expect(printed.includes('e'), printed).toBe(exponent < -4 || exponent >= precision);
      }
    }
  });
  it('prints NaN and infinities as glibc spells them', () => {
    expect(ostreamNumber(Number.NaN, 3)).toBe('nan');
    expect(ostreamNumber(Number.POSITIVE_INFINITY, 3)).toBe('inf');
    expect(ostreamNumber(0, 3)).toBe('0');
  });
});
