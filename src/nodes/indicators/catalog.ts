// The indicator catalogue: OpenAlgo's Flow indicator reference (docs/prompt/indicators/flow indicator
// reference.md), one entry per `ta` function: its input columns, parameters with OpenAlgo's defaults,
// number of outputs and the computation (kernels.ts), in one file per OpenAlgo module. Names,
// parameter names and output order are OpenAlgo's, so an exported workflow's params JSON means the same here.

import { HYBRID } from './catalog/hybrid.js';
import { MOMENTUM } from './catalog/momentum.js';
import { OSCILLATORS } from './catalog/oscillators.js';
import type { IndicatorSpec } from './catalog/spec.js';
import { STATISTICS } from './catalog/statistics.js';
import { TALIB } from './catalog/talib.js';
import { TREND } from './catalog/trend.js';
import { VOLATILITY } from './catalog/volatility.js';
import { VOLUME } from './catalog/volume.js';

export type { Column, IndicatorSpec, Inputs, ParamDef, Params, ParamValue } from './catalog/spec.js';

export const CATALOG: Record<string, IndicatorSpec> = {
  ...TREND, ...MOMENTUM, ...VOLATILITY, ...VOLUME, ...OSCILLATORS, ...STATISTICS, ...HYBRID, ...TALIB,
};
