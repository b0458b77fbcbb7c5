/**
 * A number as a C++ ostream prints it with `precision` significant digits and no format flags (printf's %g):
 * fixed notation without trailing zeros, exponent notation (`1e-05`) below 1e-4 or from 10^precision on. fastText
 * prints probabilities (precision 6) and test scores (precision 3) this way, and scripts compare those strings.
 */
export function ostreamNumber(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // Where both print fixed notation, toPrecision's digits are these (the same rounding as toExponential's).
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 10 ** precision - 0.5) return stripZeros(value.toPrecision(precision));
  const exponential = value.toExponential(precision - 1);
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  if (exponent < -4 || exponent >= precision) {
    const digits = stripZeros(exponential.slice(0, e));
    return `${digits}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

/** Without trailing fraction zeros, and without the point when nothing follows it. */
function stripZeros(decimal: string): string {
  if (!decimal.includes('.')) return decimal;
  let end = decimal.length;
  while (decimal.charCodeAt(end - 1) === 0x30) end--;
  if (decimal.charCodeAt(end - 1) === 0x2e) end--;
  return end === decimal.length ? decimal : decimal.slice(0, end);
}
