// Rehearsals (issue 16): a workflow replayed on past market days in simulated time.

export { rehearse, RehearseError, watchedSymbols, type RehearseOptions } from './replay.js';
export { formatReport, NOT_MODELLED, type Report, type ReportTrade } from './report.js';
export { parseAlerts, parseAlertTime, AlertsError, type PastAlert } from './alerts.js';
export { PaperCandles, OpenAlgoCandles, CandleError, type CandleSource } from './candles.js';
export { CHARGE_PRESETS, chargesOn, segmentOf } from './charges.js';
export { candlePath, PATH_NOTE } from './feed.js';
export { candleSourceFor } from './source.js';
