import type { AcquisitionSpace } from './math/acquisition.js';
import type { ParameterRange, ParamValue, Params } from './parameters.js';

type Scale = 'linear' | 'log' | 'reverse-log';

interface NumericDimension {
  readonly kind: 'Integer' | 'Continuous';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly scale: Scale;
  /** Transformed bounds: integers own the cell [v − ½, v + ½], so the end values are as likely as the others. */
  readonly low: number;
  readonly span: number;
  readonly feature: number;
}

interface CategoricalDimension {
  readonly kind: 'Categorical';
  readonly name: string;
  readonly values: readonly ParamValue[];
  readonly feature: number;
}

type Dimension = NumericDimension | CategoricalDimension;

/**
 * The tuned parameters seen two ways. The unit cube has one coordinate per parameter, scaled (a log-scaled range is
 * uniform in its logarithm; a categorical coordinate picks value ⌊u·k⌋): samplers draw there. The feature space is
 * what the Gaussian process sees: one coordinate per numeric parameter, the scaled position of its value (integers
 * at their cell centre), and a one-hot block per categorical parameter.
 */
export class SearchSpace implements AcquisitionSpace {
  readonly names: readonly string[];
  readonly featureDimensions: number;
  readonly continuousFeatures: Uint8Array;
  private readonly dims: readonly Dimension[];

  /** `ranges` must already be validated (see the tuner config). */
  constructor(readonly ranges: Readonly<Record<string, ParameterRange>>) {
    this.names = Object.keys(ranges);
    let feature = 0;
    this.dims = this.names.map((name): Dimension => {
      const range = ranges[name]!;
      if (range.type === 'Categorical') {
        const dim = { kind: 'Categorical' as const, name, values: range.values, feature };
        feature += range.values.length;
        return dim;
      }
      const scale: Scale = range.scalingType === 'Logarithmic' ? 'log' : range.scalingType === 'ReverseLogarithmic' ? 'reverse-log' : 'linear';
      const half = range.type === 'Integer' ? 0.5 : 0;
      const low = transform(scale, range.min - half);
      return { kind: range.type, name, min: range.min, max: range.max, scale, low, span: transform(scale, range.max + half) - low, feature: feature++ };
    });
    this.featureDimensions = feature;
    this.continuousFeatures = new Uint8Array(feature);
    for (const d of this.dims) if (d.kind === 'Continuous') this.continuousFeatures[d.feature] = 1;
  }

  /** Number of parameters: the dimension of the unit cube. */
  get dimensions(): number {
    return this.dims.length;
  }

  /** The parameters at a point of the unit cube. */
  decode(u: ArrayLike<number>, offset = 0): Params {
    const params: Params = {};
    this.dims.forEach((d, i) => {
      params[d.name] = d.kind === 'Categorical' ? d.values[category(u[offset + i]!, d.values.length)]! : numericValue(d, u[offset + i]!);
    });
    return params;
  }

  /** Features of a point of the unit cube (already snapped: integers at cell centres, categoricals one-hot). */
  unitToFeatures(u: ArrayLike<number>, uOffset: number, out: Float64Array, offset: number): void {
    this.dims.forEach((d, i) => {
      const x = u[uOffset + i]!;
      if (d.kind === 'Categorical') oneHot(out, offset + d.feature, d.values.length, category(x, d.values.length));
      else out[offset + d.feature] = position(d, numericValue(d, x));
    });
  }

  /** Features of valid parameters (see `contains`). */
  paramsToFeatures(params: Params, out: Float64Array, offset: number): void {
    for (const d of this.dims) {
      const v = params[d.name]!;
      if (d.kind === 'Categorical') oneHot(out, offset + d.feature, d.values.length, d.values.indexOf(v));
      else out[offset + d.feature] = position(d, v as number);
    }
  }

  snapFeatures(features: Float64Array, offset: number): void {
    for (const d of this.dims) {
      const at = offset + d.feature;
      if (d.kind === 'Categorical') oneHot(features, at, d.values.length, argmax(features, at, d.values.length));
      else if (d.kind === 'Integer') features[at] = position(d, numericValue(d, features[at]!));
      else features[at] = Math.min(1, Math.max(0, features[at]!));
    }
  }

  featuresToParams(features: ArrayLike<number>, offset: number): Params {
    const params: Params = {};
    for (const d of this.dims) {
      const at = offset + d.feature;
      params[d.name] = d.kind === 'Categorical' ? d.values[argmax(features, at, d.values.length)]! : numericValue(d, features[at]!);
    }
    return params;
  }

  /** Whether `params` holds a valid value for every tuned parameter (other keys are ignored). */
  contains(params: Readonly<Record<string, unknown>>): boolean {
    return this.dims.every((d) => {
      const v = params[d.name];
      if (d.kind === 'Categorical') return d.values.includes(v as ParamValue);
      return typeof v === 'number' && v >= d.min && v <= d.max && (d.kind === 'Continuous' || Number.isInteger(v));
    });
  }

  /** The feature offset and width of a parameter, for analyses per parameter. */
  featureBlock(name: string): { offset: number; width: number } {
    const d = this.dims.find((x) => x.name === name)!;
    return { offset: d.feature, width: d.kind === 'Categorical' ? d.values.length : 1 };
  }
}

function transform(scale: Scale, v: number): number {
  return scale === 'log' ? Math.log(v) : scale === 'reverse-log' ? -Math.log(1 - v) : v;
}

function inverse(scale: Scale, t: number): number {
  return scale === 'log' ? Math.exp(t) : scale === 'reverse-log' ? 1 - Math.exp(-t) : t;
}

function numericValue(d: NumericDimension, u: number): number {
  if (!(u > 0)) return d.min;
  const v = inverse(d.scale, d.low + Math.min(1, u) * d.span);
  return Math.min(d.max, Math.max(d.min, d.kind === 'Integer' ? Math.round(v) : v));
}

function position(d: NumericDimension, v: number): number {
  return d.span > 0 ? (transform(d.scale, v) - d.low) / d.span : 0.5;
}

function category(u: number, k: number): number {
  return Math.min(k - 1, Math.max(0, Math.floor(u * k)));
}

function oneHot(out: Float64Array, at: number, k: number, index: number): void {
  for (let c = 0; c < k; c++) out[at + c] = c === index ? 1 : 0;
}

function argmax(x: ArrayLike<number>, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (x[at + c]! > x[at + best]!) best = c;
  return best;
}
