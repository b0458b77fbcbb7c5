import { describe, expect, it } from 'vitest';
import { PriceTableError, UnknownInstanceTypeError } from './errors.js';
import { INSTANCE_TYPES, billableSeconds, cost, describeInstanceType, hourlyPrice, instancePool, parsePriceTable } from './instance-types.js';

const family = (name: string) => name.slice(0, name.lastIndexOf('.'));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('INSTANCE_TYPES', () => {
  it('holds the CPU and GPU families of the fleet, each name once', () => {
    const names = INSTANCE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^ml\.[a-z0-9]+\.[0-9]*(x?large|medium)$/);
    expect(new Set(names.map(family))).toEqual(
      new Set(['ml.t3', 'ml.m5', 'ml.m6i', 'ml.c5', 'ml.c6i', 'ml.r5', 'ml.p3', 'ml.p3dn', 'ml.p4d', 'ml.g4dn', 'ml.g5']),
    );
  });

  it('has positive resources and prices, and GPUs exactly in the p and g families', () => {
    for (const type of INSTANCE_TYPES) {
      expect(type.vcpus).toBeGreaterThan(0);
      expect(type.memoryGiB).toBeGreaterThan(0);
      expect(type.hourlyPrice).toBeGreaterThan(0);
      expect(type.gpus > 0, type.name).toBe(/^ml\.[pg]/.test(type.name));
    }
  });

  it('prices the m, c and r families per vCPU, as AWS does (a typo in the table breaks this)', () => {
    for (const name of ['ml.m5', 'ml.m6i', 'ml.c5', 'ml.c6i', 'ml.r5']) {
      const perVcpu = INSTANCE_TYPES.filter((t) => family(t.name) === name).map((t) => t.hourlyPrice / t.vcpus);
      expect(perVcpu.length).toBeGreaterThan(4);
      expect(Math.max(...perVcpu) / Math.min(...perVcpu), name).toBeLessThan(1.01);
    }
  });

  it('describes a type by name and refuses unknown ones', () => {
    expect(describeInstanceType('ml.g5.xlarge')).toBe(INSTANCE_TYPES.find((t) => t.name === 'ml.g5.xlarge'));
    expect(thrown(() => describeInstanceType('ml.x9.large'))).toBeInstanceOf(UnknownInstanceTypeError);
  });
});

describe('instancePool', () => {
  it.each([
    ['ml.t3.medium', 'cpu'],
    ['ml.m5.large', 'cpu'],
    ['ml.c6i.32xlarge', 'cpu'],
    ['ml.r5.24xlarge', 'cpu'],
    ['ml.p3.2xlarge', 'gpu'],
    ['ml.p4d.24xlarge', 'gpu'],
    ['ml.g4dn.xlarge', 'gpu'],
    ['ml.g5.48xlarge', 'gpu'],
  ])('%s runs on the %s pool', (type, pool) => {
    expect(instancePool(type)).toBe(pool);
  });

  it('routes every type with GPUs to the gpu pool and no other', () => {
    for (const type of INSTANCE_TYPES) expect(instancePool(type.name)).toBe(type.gpus > 0 ? 'gpu' : 'cpu');
  });

  it.each([
    ['ml.c5.2xlarg', 'ml.c5.2xlarge'],
    ['ML.G5.XLARGE', 'ml.g5.xlarge'],
    ['c5.2xlarge', 'ml.c5.2xlarge'],
    ['ml.g4dn.xlrge', 'ml.g4dn.xlarge'],
  ])('suggests the nearest type for %s', (type, suggestion) => {
    const error = thrown(() => instancePool(type)) as UnknownInstanceTypeError;
    expect(error).toBeInstanceOf(UnknownInstanceTypeError);
    expect(error.instanceType).toBe(type);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`unknown instance type "${type}"; did you mean ${suggestion}?`);
  });

  it('suggests nothing for a name far from every type, but lists the families', () => {
    const error = thrown(() => instancePool('gpu-large'));
    expect(error.message).not.toContain('did you mean');
    expect(error.message).toContain('known families: ml.t3, ml.m5,');
  });
});

describe('prices', () => {
  it('takes the default price unless the table overrides it', () => {
    const overrides = { 'ml.c5.2xlarge': 0.3 };
    expect(hourlyPrice('ml.c5.2xlarge')).toBe(describeInstanceType('ml.c5.2xlarge').hourlyPrice);
    expect(hourlyPrice('ml.c5.2xlarge', overrides)).toBe(0.3);
    expect(hourlyPrice('ml.c5.4xlarge', overrides)).toBe(describeInstanceType('ml.c5.4xlarge').hourlyPrice);
    expect(hourlyPrice('ml.t3.medium', { 'ml.t3.medium': 0 })).toBe(0);
  });

  it('bills each started second', () => {
    expect(billableSeconds(0)).toBe(0);
    expect(billableSeconds(59)).toBe(59);
    expect(billableSeconds(59.001)).toBe(60);
    expect(billableSeconds(0.2)).toBe(1);
    expect(() => billableSeconds(-1)).toThrow(RangeError);
    expect(() => billableSeconds(Number.NaN)).toThrow(RangeError);
  });

  it('costs seconds x instances x hourly price / 3600, unrounded', () => {
    const hourly = hourlyPrice('ml.g4dn.xlarge');
    expect(cost('ml.g4dn.xlarge', 3600, 1)).toBeCloseTo(hourly, 12);
    expect(cost('ml.g4dn.xlarge', 1800, 4)).toBeCloseTo(2 * hourly, 12);
    expect(cost('ml.g4dn.xlarge', 0.5, 1)).toBeCloseTo(hourly / 3600, 15);
    expect(cost('ml.g4dn.xlarge', 7, 3, { 'ml.g4dn.xlarge': 0.36 })).toBeCloseTo(0.0021, 15);
    expect(cost('ml.m5.large', 0, 5)).toBe(0);
    expect(() => cost('ml.m5.large', 10, 0)).toThrow(RangeError);
    expect(() => cost('ml.m5.large', 10, 1.5)).toThrow(RangeError);
    expect(thrown(() => cost('ml.m5.larg', 10, 1))).toBeInstanceOf(UnknownInstanceTypeError);
  });
});

describe('parsePriceTable', () => {
  it('reads a JSON object of instance type to $/hour', () => {
    const table = parsePriceTable('{"ml.c5.2xlarge": 0.35, "ml.g4dn.xlarge": 0, "ml.p3.2xlarge": 2.5}');
    expect(table).toEqual({ 'ml.c5.2xlarge': 0.35, 'ml.g4dn.xlarge': 0, 'ml.p3.2xlarge': 2.5 });
    expect(Object.isFrozen(table)).toBe(true);
    expect(hourlyPrice('ml.p3.2xlarge', table)).toBe(2.5);
    expect(parsePriceTable('{}')).toEqual({});
  });

  it.each([
    ['{"ml.c5.2xlarge": 0.35', '', /price table: not valid JSON/],
    ['[["ml.c5.2xlarge", 0.35]]', '', /expected a JSON object .*got an array/],
    ['null', '', /got null/],
    ['{"ml.c5.2xlarg": 0.35}', 'ml.c5.2xlarg', /entry 'ml\.c5\.2xlarg': unknown instance type .*did you mean ml\.c5\.2xlarge\?/],
    ['{"__proto__": 1}', '__proto__', /unknown instance type "__proto__"/],
    ['{"ml.c5.2xlarge": -0.1}', 'ml.c5.2xlarge', /a number >= 0\), got -0\.1/],
    ['{"ml.c5.2xlarge": "0.35"}', 'ml.c5.2xlarge', /got "0\.35"/],
    ['{"ml.c5.2xlarge": null}', 'ml.c5.2xlarge', /got null/],
  ])('refuses %s', (json, entry, message) => {
    const error = thrown(() => parsePriceTable(json)) as PriceTableError;
    expect(error).toBeInstanceOf(PriceTableError);
    expect(error.entry).toBe(entry);
    expect(error.message).toMatch(message);
  });
});
